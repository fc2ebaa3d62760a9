-- __index/__newindex chains, loops, rawset from __newindex, __call chains, __eq/__len/__concat rules.
local base = { a = "base.a" }
local mid = setmetatable({ b = "mid.b" }, { __index = base })
local top = setmetatable({}, { __index = mid })
print(top.a, top.b, top.c)
local loop1, loop2 = {}, {}
setmetatable(loop1, { __index = loop2 })
setmetatable(loop2, { __index = loop1 })
print(pcall(function() return loop1.x end))
local nloop = {}
setmetatable(nloop, { __newindex = nloop })
print(pcall(function() nloop.x = 1 end))
local store = {}
local proxy = setmetatable({}, { __newindex = store })
proxy.k = "v"
print(rawget(proxy, "k"), store.k)
local deep = setmetatable({}, { __newindex = setmetatable({}, { __newindex = function(t, k, v) rawset(t, k, v .. "!") end }) })
deep.z = "zz"
print(rawget(deep, "z"), getmetatable(deep).__newindex.z)
-- __index on strings via the string metatable
print(("abc").len == string.len, ("abc"):len(), pcall(function() return ("abc").nofield.x end))
-- __call chains (5.4 follows __call of __call)
local inner = setmetatable({}, { __call = function(self, ...) return "inner", select("#", ...) end })
local outer = setmetatable({}, { __call = inner })
print(outer(1, 2))
print(pcall(setmetatable({}, { __call = 42 })))
-- __eq is only tried for two tables (or two userdata) and its result is a boolean
local eqmt = { __eq = function() return "truthy" end }
local e1, e2 = setmetatable({}, eqmt), setmetatable({}, eqmt)
print(e1 == e2, e1 ~= e2, e1 == 1, e1 == "x")
local plain = {}
print(e1 == plain, plain == e1)
-- __len may return anything; strings ignore __len
local lenmt = setmetatable({}, { __len = function() return "long" end })
print(#lenmt, #"abc")
-- __concat with numbers on either side and chained concatenation
local cmt = { __concat = function(a, b)
  local ta = type(a) == "table" and "T" or tostring(a)
  local tb = type(b) == "table" and "T" or tostring(b)
  return ta .. "+" .. tb
end }
local c = setmetatable({}, cmt)
print(1 .. c, c .. 2.5, "s" .. c .. "e", c .. c)
-- __unm and __len receive the operand twice
local unm = setmetatable({}, { __unm = function(a, b) return rawequal(a, b) end, __len = function(a, b) return rawequal(a, b) end })
print(-unm, #unm)
-- __lt result converted to boolean
local lt = setmetatable({}, { __lt = function() return nil end })
print(lt < lt, not (lt < lt))
-- __index function receives the original table
local orig = setmetatable({}, { __index = function(t, k) return t == orig and k end })
print(orig.key)
