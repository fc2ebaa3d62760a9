-- Unpacks a large table onto the stack, without end.
function on_update(self)
  local t = {} for i = 1, 1e5 do t[i] = i end while true do select('#', table.unpack(t)) end
end
