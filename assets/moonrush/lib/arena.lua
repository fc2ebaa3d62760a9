-- Moonrush's arena: its bounds and a few vector helpers, shared by every script through
-- `require("moonrush.lib.arena")`. Edit it while the game runs (feature file_watcher) and every
-- script that requires it reloads, keeping its state.
local arena = {}

arena.half_width = 380
arena.half_height = 260

-- `p` kept inside the arena.
function arena.clamp(p)
  return vec3(
    math.max(-arena.half_width, math.min(arena.half_width, p.x)),
    math.max(-arena.half_height, math.min(arena.half_height, p.y)),
    0)
end

-- A random point on the arena's edge (where enemies come in).
function arena.random_edge()
  local side = math.random(4)
  local x = (math.random() * 2 - 1) * arena.half_width
  local y = (math.random() * 2 - 1) * arena.half_height
  if side == 1 then return vec3(-arena.half_width, y, 0) end
  if side == 2 then return vec3(arena.half_width, y, 0) end
  if side == 3 then return vec3(x, -arena.half_height, 0) end
  return vec3(x, arena.half_height, 0)
end

-- The unit vector from `a` toward `b` (zero if they meet), and the distance.
function arena.toward(a, b)
  local d = vec3(b.x - a.x, b.y - a.y, 0)
  local len = d:length()
  if len < 1e-6 then return vec3(), 0 end
  return d / len, len
end

return arena
