-- `string.format` with `%s` and `%q` of a megabyte, without end.
function on_update(self)
  local s = ('x'):rep(1e6) while true do local t = string.format('%s%q', s, s) end
end
