-- Raises (and catches) errors whose megabyte message gets a position prefix, without end.
function on_update(self)
  local s = ('x'):rep(1e6)
  while true do pcall(function() error(s, 1) end) end
end
