-- Patrols between two points: moves for a while, pauses with wait(), turns around.
function on_spawn(self)
  self.speed = self.speed or 120
  self.dir = 1
end

function main(self)
  while true do
    local t = 0
    while t < 1.5 do
      wait_frames(1)
      t = t + time.delta
      local p = self.transform.translation
      p.x = p.x + self.dir * self.speed * time.delta
    end
    wait(0.5)
    self.dir = -self.dir
  end
end
