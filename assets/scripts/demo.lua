-- Moonpool demo: a tiny game-like simulation run by the VM alone (no Bevy yet).
-- Entities are objects with metatables; each runs as a coroutine that waits for
-- frames, like a game script using wait().

local Entity = {}
Entity.__index = Entity
Entity.__tostring = function(e) return string.format("%s@(%.1f, %.1f)", e.name, e.x, e.y) end

function Entity.new(name, x, y, speed)
  return setmetatable({ name = name, x = x, y = y, speed = speed, hp = 10 }, Entity)
end

function Entity:move(dx, dy)
  self.x = self.x + dx * self.speed
  self.y = self.y + dy * self.speed
end

-- wait(n) suspends the calling entity's task for n frames.
local function wait(n)
  for _ = 1, n do coroutine.yield() end
end

local world = { frame = 0, entities = {}, tasks = {}, log = {} }

local function spawn(entity, behaviour)
  world.entities[#world.entities + 1] = entity
  world.tasks[#world.tasks + 1] = { entity = entity, co = coroutine.create(behaviour) }
end

spawn(Entity.new("walker", 0, 0, 1.5), function(self_)
  while true do
    self_:move(1, 0)
    wait(2)
  end
end)

spawn(Entity.new("patrol", 5, 5, 1), function(self_)
  local dirs = { { 0, 1 }, { 1, 0 }, { 0, -1 }, { -1, 0 } }
  local i = 1
  while true do
    local d = dirs[i]
    self_:move(d[1], d[2])
    i = i % #dirs + 1
    wait(1)
  end
end)

spawn(Entity.new("blinker", -3, 2, 0), function(self_)
  for n = 1, 3 do
    world.log[#world.log + 1] = string.format("frame %d: %s blinks (%d)", world.frame, self_.name, n)
    wait(3)
  end
  world.log[#world.log + 1] = string.format("frame %d: %s is done", world.frame, self_.name)
end)

for frame = 1, 12 do
  world.frame = frame
  local alive = 0
  for _, task in ipairs(world.tasks) do
    if coroutine.status(task.co) ~= "dead" then
      local ok, err = coroutine.resume(task.co, task.entity)
      if not ok then print("task error: " .. tostring(err)) end
      if coroutine.status(task.co) ~= "dead" then alive = alive + 1 end
    end
  end
  if frame % 4 == 0 then
    local parts = {}
    for _, e in ipairs(world.entities) do parts[#parts + 1] = tostring(e) end
    print(string.format("frame %2d  live tasks %d  %s", frame, alive, table.concat(parts, "  ")))
  end
end

for _, line in ipairs(world.log) do print(line) end
