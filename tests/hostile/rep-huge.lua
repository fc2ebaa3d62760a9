-- Repeats a 10 MB string a hundred times, without end.
function on_update(self)
  local s = ('x'):rep(1e7)
  while true do local t = s:rep(100) end
end
