-- Runs a world query over every entity with a Transform, without end.
function on_update(self)
  while true do for e in world.query("Transform") do end end
end
