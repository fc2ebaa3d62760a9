-- `table.concat` of a large table, without end.
function on_update(self)
  local t = {} for i = 1, 1e5 do t[i] = 'abc' end while true do table.concat(t, ',') end
end
