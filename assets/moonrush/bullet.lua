-- A bullet: flies along `self.dir`, hits the first enemy it touches, and is gone after a while.
function on_spawn(self)
  self.speed = 620
  task.delay(1.0, function() self:despawn() end)
end

function on_update(self, dt)
  if self.spent then return end
  local p = self.transform.translation
  p.x = p.x + self.dir.x * self.speed * dt
  p.y = p.y + self.dir.y * self.speed * dt
  local enemy = nearest_enemy(p, 20)
  if enemy then
    self.spent = true
    send(enemy, "hit", {damage = 1})
    self:despawn()
  end
end

function on_event(self, name)
  if name == "clear" then self:despawn() end
end
