-- Prints 100 KB lines without end.
function on_update(self)
  while true do print(('y'):rep(1e5)) end
end
