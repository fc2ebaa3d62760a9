-- Spawns a short-lived mover every second; each despawns itself after a few seconds.
function main(self)
  local n = 0
  while true do
    n = n + 1
    spawn("scripts/ephemeral.lua", {Transform = {translation = self.transform.translation}}, {speed = 40 + 10 * (n % 5), lifetime = 3})
    wait(1.0)
  end
end
