-- Spawns a million entities per frame.
function on_update(self)
  for i = 1, 1e6 do spawn('child.lua', nil, {hp = i}) end
end
