-- Compiles chunks without end.
function on_update(self)
  local src = ('local a = 1 '):rep(1000)
  while true do load(src) end
end
