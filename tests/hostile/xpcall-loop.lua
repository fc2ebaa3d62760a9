-- A pcall recursion run by `xpcall` with itself as the message handler.
function on_update(self)
  local function loop() assert(pcall(loop)) end
  xpcall(loop, loop)
  local ok, e = xpcall(loop, loop)
  error(e)
end
