-- Keyboard-controlled: arrows or WASD move, Space jumps (a task that rises and falls).
function on_spawn(self)
  self.speed = 200
  self.jumping = false
end

function on_update(self, dt)
  local p = self.transform.translation
  local dx, dy = 0, 0
  if input.pressed("ArrowLeft") or input.pressed("KeyA") then dx = dx - 1 end
  if input.pressed("ArrowRight") or input.pressed("KeyD") then dx = dx + 1 end
  if input.pressed("ArrowUp") or input.pressed("KeyW") then dy = dy + 1 end
  if input.pressed("ArrowDown") or input.pressed("KeyS") then dy = dy - 1 end
  p.x = p.x + dx * self.speed * dt
  p.y = p.y + dy * self.speed * dt
  if input.just_pressed("Space") and not self.jumping then
    task.spawn(function()
      self.jumping = true
      for _ = 1, 10 do self.transform.scale.y = self.transform.scale.y * 1.05 wait_frames(1) end
      for _ = 1, 10 do self.transform.scale.y = self.transform.scale.y / 1.05 wait_frames(1) end
      self.jumping = false
      log.info("landed")
    end)
  end
end
