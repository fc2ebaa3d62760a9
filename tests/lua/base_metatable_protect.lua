-- setmetatable/getmetatable: __metatable protection, argument checks, return values.
local t = {}
local mt = { __index = { hello = "world" } }
print(setmetatable(t, mt) == t, getmetatable(t) == mt, t.hello)
print(setmetatable(t, nil) == t, getmetatable(t), t.hello)
mt.__metatable = "locked"
setmetatable(t, mt)
print(getmetatable(t))
print(pcall(setmetatable, t, {}))
print(pcall(setmetatable, t, nil))
mt.__metatable = false
print(getmetatable(t))
print(pcall(setmetatable, t, {}))
print(pcall(setmetatable, {}, 1))
print(pcall(setmetatable, {}))
print(pcall(setmetatable, 1, {}))
print(pcall(setmetatable, "s", {}))
print(pcall(getmetatable))
print(getmetatable(1), getmetatable(nil), getmetatable(print), getmetatable(true))
print(getmetatable("").__index == string, type(getmetatable("abc")))
local smt = getmetatable("")
print(rawequal(smt, getmetatable("other")))
-- __metatable on the string metatable does not exist: changing it needs debug
print(pcall(setmetatable, "x", nil))
-- a metatable can be shared and changed after the fact
local shared = {}
local a, b = setmetatable({}, shared), setmetatable({}, shared)
shared.__index = function(_, k) return k .. "!" end
print(a.x, b.y)
shared.__index = nil
print(a.x, b.y)
