-- `os.date` with a huge format, without end.
function on_update(self)
  local f = ('%c'):rep(1e5) while true do os.date(f) end
end
