-- Logs 100 KB lines without end.
function on_update(self)
  while true do log.info(('x'):rep(1e5)) end
end
