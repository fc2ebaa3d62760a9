-- Coroutines resuming coroutines, without end (each resume is a C level).
function on_update(self)
  local function f() coroutine.wrap(f)() end
  f()
end
