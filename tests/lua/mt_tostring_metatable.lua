-- __tostring, __name, __metatable, getmetatable/setmetatable.
local P = { __tostring = function(p) return "P<" .. p.v .. ">" end }
local p = setmetatable({ v = 7 }, P)
print(tostring(p), p)
print(string.format("%s|%s", p, p))
-- __tostring must return a string
local bad = setmetatable({}, { __tostring = function() return 42 end })
print(pcall(tostring, bad))
local bad2 = setmetatable({}, { __tostring = function() return nil end })
print(pcall(function() return tostring(bad2) end))
-- __tostring errors propagate
local err = setmetatable({}, { __tostring = function() error("tostring failed", 0) end })
print(pcall(tostring, err))
-- __name is used in error messages that mention the type of a value
local named = setmetatable({}, { __name = "MyType" })
print(pcall(function() return named + 1 end))
print(pcall(function() return #named < 1, named < 1 end))
print(pcall(function() return named .. "" end))
print(pcall(function() local n2 = named; return n2.x.y end))
-- __metatable protects the metatable
local prot = setmetatable({}, { __metatable = "locked", __index = { a = 1 } })
print(getmetatable(prot), prot.a)
print(pcall(setmetatable, prot, {}))
print(pcall(function() setmetatable(prot, nil) end))
local prot2 = setmetatable({}, { __metatable = false })
print(getmetatable(prot2))
print(pcall(function() setmetatable(prot2, {}) end))
-- getmetatable on various types
print(getmetatable({}), getmetatable(1), getmetatable(nil), getmetatable(print))
print(getmetatable("abc") == getmetatable("xyz"), type(getmetatable("")), getmetatable("").__index == string)
-- setmetatable returns its first argument
local t = {}
print(setmetatable(t, nil) == t, getmetatable(t))
local mt = {}
print(setmetatable(t, mt) == t, getmetatable(t) == mt)
setmetatable(t, nil)
print(getmetatable(t))
-- setmetatable argument errors
print(pcall(function() setmetatable(1, {}) end))
print(pcall(function() setmetatable({}, 1) end))
print(pcall(function() setmetatable({}) end))
print(pcall(function() setmetatable() end))
-- print uses __tostring
local items = { setmetatable({}, P), p }
items[1].v = 1
print(items[1], items[2])
-- __tostring on a metatable shared by instances
local Animal = {}
Animal.__index = Animal
Animal.__tostring = function(a) return "Animal(" .. a.name .. ")" end
local cat = setmetatable({ name = "cat" }, Animal)
local dog = setmetatable({ name = "dog" }, Animal)
print(cat, dog, tostring(cat) .. "/" .. tostring(dog))
-- tostring of basic values
print(tostring(nil), tostring(false), tostring(true), tostring(12), tostring(1.25), tostring("s"))
print(type(tostring({})), type(tostring(print)))
print(tostring({}):sub(1, 7), tostring(print):sub(1, 10), tostring(coroutine.create(print)):sub(1, 8))
