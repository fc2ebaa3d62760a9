-- `table.sort` of a large table with a Lua comparator, without end.
function on_update(self)
  local t = {} for i = 1, 1e5 do t[i] = -i end
      while true do table.sort(t, function(a, b) return a > b end) end
end
