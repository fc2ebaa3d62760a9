-- `debug.traceback` of a megabyte message, without end.
function on_update(self)
  local s = ('x'):rep(1e6) while true do debug.traceback(s) end
end
