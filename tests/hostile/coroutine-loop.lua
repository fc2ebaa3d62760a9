-- Creates and resumes coroutines without end.
function on_update(self)
  while true do coroutine.wrap(function() coroutine.yield() end)() end
end
