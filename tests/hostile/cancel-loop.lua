-- Cancels a task (one that has finished) without end.
function on_update(self)
  local t = task.spawn(function() end)
  while true do task.cancel(t) end
end
