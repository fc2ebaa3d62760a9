-- `upper`, `reverse` and `lower` of a megabyte, without end.
function on_update(self)
  local s = ('x'):rep(1e6) while true do s:upper():reverse():lower() end
end
