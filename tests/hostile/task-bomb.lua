-- Spawns a million waiting tasks per frame.
function on_update(self)
  for i = 1, 1e6 do task.spawn(function() wait(1e9) end) end
end
