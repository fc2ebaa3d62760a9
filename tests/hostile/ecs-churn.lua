-- Inserts and removes a component (an archetype move each time), without end.
function on_update(self)
  while true do
    self:insert("Transform", {translation = {x = 1, y = 2, z = 3}})
    self:remove("Transform")
  end
end
