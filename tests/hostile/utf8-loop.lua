-- `utf8.len` of a megabyte, without end.
function on_update(self)
  local s = ('é'):rep(5e5) while true do utf8.len(s) end
end
