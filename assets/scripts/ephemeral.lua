-- A mover that despawns itself after `self.lifetime` seconds.
function on_spawn(self)
  self.lifetime = self.lifetime or 2
end

function on_update(self, dt)
  local p = self.transform.translation
  p.y = p.y + (self.speed or 50) * dt
end

function main(self)
  wait(self.lifetime)
  emit("expired", self.lifetime)
  self:despawn()
end
