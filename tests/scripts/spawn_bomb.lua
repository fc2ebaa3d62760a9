-- A hostile script for tests/hostile.rs: every instance tries to spawn a million copies of
-- itself every frame.
function on_update(self)
  for i = 1, 1e6 do spawn("spawn_bomb.lua") end
end
