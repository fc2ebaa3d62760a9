-- Doubles a megabyte string with `gsub`, without end.
function on_update(self)
  local s = ('x'):rep(1 << 20)
  while true do s = s:gsub('x', 'xx') end
end
