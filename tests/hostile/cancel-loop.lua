-- Cancels tasks (that do not exist) without end.
function on_update(self)
  while true do task.cancel(12345) end
end
