-- Compiles a chunk of megabytes.
function on_update(self)
  local f = assert(load(('x = 1 '):rep(2e6)))
end
