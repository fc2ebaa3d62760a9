-- Recursion through `pcall` (each pcall is a C level in PUC Lua).
function on_update(self)
  local function loop() assert(pcall(loop)) end
  loop()
end
