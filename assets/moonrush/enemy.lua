-- Moonrush's enemies. A chaser walks at the player; a dasher waits, aims, and dashes. Each
-- behaviour is a task; touching the player hurts it.
local arena = require("moonrush.lib.arena")

function on_spawn(self)
  self.kind = self:get("Enemy").kind
  self.hp = self.kind == "dasher" and 2 or 1
  self.points = self.kind == "dasher" and 25 or 10
  self.speed = self.speed or 60
end

local function step_toward(self, target, speed, dt)
  local p = self.transform.translation
  local dir = arena.toward(p, target)
  local moved = arena.clamp(p + dir * (speed * dt))
  p.x, p.y = moved.x, moved.y
end

local function chase(self)
  while true do
    local target = player_position()
    if target then step_toward(self, target, self.speed, time.delta) end
    wait_frames(1)
  end
end

local function dash(self)
  wait(0.5 + math.random())
  while true do
    local target = player_position()
    if target then
      -- Aim: swell for a moment, then rush where the player was.
      self.transform.scale = vec3(1.4, 1.4, 1)
      wait(0.35)
      self.transform.scale = vec3(1, 1, 1)
      local goal = arena.clamp(target)
      local until_t = time.elapsed + 0.45
      while time.elapsed < until_t do
        step_toward(self, goal, self.speed * 5, time.delta)
        wait_frames(1)
      end
    end
    wait(1.2)
  end
end

function main(self)
  if self.kind == "dasher" then dash(self) else chase(self) end
end

-- Touching the player hurts it (the player ignores hits for a second after one).
function on_update(self)
  local target = player_position()
  if target then
    local _, d = arena.toward(self.transform.translation, target)
    if d < 26 then send(player_entity(), "hit", {damage = 1, by = self.kind}) end
  end
end

function on_event(self, name, p)
  if name == "hit" and not self.dead then
    self.hp = self.hp - p.damage
    if self.hp <= 0 then
      self.dead = true
      send("world", "enemy_died", {points = self.points, kind = self.kind, at = self.transform.translation})
      self:despawn()
    end
  elseif name == "clear" then
    self:despawn()
  end
end
