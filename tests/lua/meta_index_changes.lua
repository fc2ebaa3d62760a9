-- A class table's `__index` and its fields change between method calls and field reads:
-- every change is seen at once (lookups through a metatable's `__index` may be cached).
local A = {}
A.__index = A
function A:who() return "A" end
local B = { who = function() return "B" end }
local o = setmetatable({}, A)
print(o:who(), o.who and "has who")

-- a class field replaced, removed, restored
function A:who() return "A2" end
print(o:who())
A.who = nil
print(o.who)
A.who = function() return "A3" end
print(o:who())

-- the metatable's __index pointed elsewhere, then at a function, then removed
A.__index = B
print(o:who())
A.__index = function(t, k) return "fn:" .. k end
print(o.who, o.anything)
A.__index = nil
print(o.who)
A.__index = A
print(o:who())

-- rawset on the metatable, and a field set on the object itself, shadowing the class
rawset(A, "__index", B)
print(o:who())
o.who = function() return "own" end
print(o:who())
o.who = nil
print(o:who())

-- another object switched to another metatable
local C = { __index = { who = function() return "C" end } }
setmetatable(o, C)
print(o:who())
C.__index.who = function() return "C2" end
print(o:who())

-- an environment whose __index is changed (globals seen through it)
local env = setmetatable({}, { __index = _G })
local f = load("return type(print), x", "chunk", "t", env)
print(f())
x = 42
print(f())
getmetatable(env).__index = { type = function() return "mine" end, print = 1, x = "shadowed" }
print(f())
x = nil

-- a weak-valued metatable: its __index table collected once unreferenced elsewhere
local mt = setmetatable({}, { __mode = "v" })
mt.__index = { v = "weak class" }
local w = setmetatable({}, mt)
print(w.v)
collectgarbage()
collectgarbage()
print(w.v)
