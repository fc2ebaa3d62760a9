-- pcall, xpcall and metamethods nest as C levels (about 200, as in PUC Lua): past them a
-- protected call fails with "C stack overflow"; a message handler that keeps failing ends in
-- "error in error handling" after bounded work. Exact depths differ between builds, so only
-- the outcomes are printed.
local depth = 0
local function loop() depth = depth + 1 assert(pcall(loop)) end
local ok, msg = pcall(loop)
print(ok, msg:match("C stack overflow$") ~= nil, depth > 150, depth <= 220)

local calls = 0
local function loop2() calls = calls + 1 assert(pcall(loop2)) end
print(xpcall(loop2, loop2))
print(calls > 1000, calls < 100000)

print(xpcall(error, error))
local function deep() return deep() + 1 end
print(xpcall(error, deep))
print(xpcall(error, function(m) if m == "x" then error("y", 0) end return m end, "x"))
print(xpcall(error, function(m) return "handled: " .. tostring(m) end, "boom", 0))

-- A handler sees the error at the point it was raised.
print(xpcall(function() local t = nil return t.x end, function(m) return (m:gsub("^.-:%d+: ", "")) end))

-- Metamethod recursion is C-level recursion too.
local mt = {}
mt.__index = function(t, k) return setmetatable({}, mt)[k] end
local ok2, e2 = pcall(function() return setmetatable({}, mt).x end)
print(ok2, e2:match("stack overflow") ~= nil)

-- Nested coroutines count as C levels.
local function nest(n)
  return coroutine.wrap(function() return nest(n + 1) end)()
end
local ok3, e3 = pcall(nest, 1)
print(ok3, e3:match("C stack overflow") ~= nil)
