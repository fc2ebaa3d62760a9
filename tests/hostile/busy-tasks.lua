-- A thousand tasks, each a busy loop.
function on_spawn(self)
  for i = 1, 999 do task.spawn(function() while true do end end) end
end
