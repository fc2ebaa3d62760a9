-- Moonrush's player: moves in the fixed update (arrows/WASD or the left stick), fires at the
-- cursor (or where it moves) while Space, the left mouse button or the South button is held.
local arena = require("moonrush.lib.arena")

function on_spawn(self)
  self.hp = 3
  self.speed = 240
  self.aim = vec3(1, 0, 0)
  self.safe_until = 0
end

local function axis(negative, positive, stick)
  local v = input.gamepad_axis(stick)
  if input.pressed(positive[1]) or input.pressed(positive[2]) then v = v + 1 end
  if input.pressed(negative[1]) or input.pressed(negative[2]) then v = v - 1 end
  return v
end

function on_fixed_update(self, dt)
  local dir = vec3(axis({"KeyA", "ArrowLeft"}, {"KeyD", "ArrowRight"}, "LeftStickX"),
                   axis({"KeyS", "ArrowDown"}, {"KeyW", "ArrowUp"}, "LeftStickY"), 0)
  if dir:length() > 0.2 then
    dir = dir:normalize()
    self.aim = dir
  else
    dir = vec3()
  end
  local p = self.transform.translation
  local moved = arena.clamp(p + dir * (self.speed * dt))
  p.x, p.y = moved.x, moved.y
end

-- Firing is a task: one shot, then a wait for the gun to cool.
function main(self)
  while true do
    -- Aim at the cursor; without one (a gamepad, a recording) at the nearest enemy in range.
    local x, y = input.cursor_world()
    local here = self.transform.translation
    local target
    if x then
      target = vec3(x, y, 0)
    else
      local enemy = nearest_enemy(here, 450)
      target = enemy and enemy:get("Transform").translation
    end
    if target then
      local aim = arena.toward(here, target)
      if aim:length() > 0 then self.aim = aim end
    end
    if input.pressed("Space") or input.mouse_pressed("Left") or input.gamepad_pressed("South") then
      spawn("moonrush/bullet.lua",
        {Transform = {translation = self.transform.translation}},
        {dir = vec3(self.aim.x, self.aim.y, 0)})
      wait(0.12)
    else
      wait_frames(1)
    end
  end
end

function on_event(self, name, p)
  if name == "hit" and time.elapsed >= self.safe_until and self.hp > 0 then
    self.hp = self.hp - p.damage
    self.safe_until = time.elapsed + 1
    emit("player_hit", {hp = self.hp, by = p.by})
    if self.hp <= 0 then
      send("world", "player_died", {at = self.transform.translation})
      self:despawn()
    end
  elseif name == "clear" then
    self:despawn()
  end
end
