-- A wrapped coroutine resuming itself: an error for the caller, the coroutine stays alive.
A = nil
A = coroutine.wrap(function() local ok, e = pcall(A, 1) return ok, e end)
print(A())
local B
B = coroutine.wrap(function() return A end)
local co
co = coroutine.create(function() return coroutine.resume(co) end)
print(coroutine.resume(co))
local C
C = coroutine.wrap(function() return C() end)
print(pcall(C))
A = nil
A = coroutine.wrap(function()
  local _ <close> = setmetatable({}, {__close = function () end})
  return pcall(A, 1)        -- wrapped coroutine calls itself (non-suspended)
end)
print(A())
