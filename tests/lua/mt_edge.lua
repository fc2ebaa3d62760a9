-- Metamethod edge cases.
-- __index loops are detected
local loop1 = {}
setmetatable(loop1, { __index = loop1 })
print(pcall(function() return loop1.x end))
local la, lb = {}, {}
setmetatable(la, { __index = lb })
setmetatable(lb, { __index = la })
print(pcall(function() return la.missing end))
local na, nb = {}, {}
setmetatable(na, { __newindex = nb })
setmetatable(nb, { __newindex = na })
print(pcall(function() na.x = 1 end))
-- __index function results are truncated to one value
local multi = setmetatable({}, { __index = function() return 1, 2, 3 end })
print(multi.x, select("#", multi.x))
-- __index can be a callable table? only functions and tables are used directly
local calltab = setmetatable({}, { __call = function(_, t, k) return "called for " .. k end })
local viacall = setmetatable({}, { __index = calltab })
print(viacall.key)
-- metamethods are raw-looked-up in the metatable (no __index on the metatable)
local mtbase = { __add = function() return "inherited add" end }
local mt = setmetatable({}, { __index = mtbase })
local obj = setmetatable({}, mt)
print(pcall(function() return obj + 1 end))
-- metamethods set after setmetatable take effect
local late = {}
local lateobj = setmetatable({}, late)
late.__add = function() return "late add" end
late.__len = function() return 7 end
print(lateobj + 1, #lateobj)
-- __eq is only used when both operands are tables (or both userdata)
local eqmt = { __eq = function() return true end }
local e1 = setmetatable({}, eqmt)
print(e1 == 1, e1 == "x", e1 == nil, e1 == setmetatable({}, eqmt), e1 == {})
-- __lt with mixed number/table operands
local ltmt = { __lt = function(a, b)
  local av = type(a) == "table" and a[1] or a
  local bv = type(b) == "table" and b[1] or b
  return av < bv
end }
local l5 = setmetatable({ 5 }, ltmt)
print(l5 < 10, 3 < l5, l5 > 4, 6 > l5)
-- __concat with numbers on either side gets the number (not converted)
local cm = setmetatable({}, { __concat = function(a, b)
  return (type(a) == "table" and "T" or math.type(a)) .. "|" .. (type(b) == "table" and "T" or math.type(b))
end })
print(cm .. 1, 1.5 .. cm, cm .. cm)
-- __newindex is used only for absent keys; rawset inside avoids recursion
local count = 0
local cnt = setmetatable({}, { __newindex = function(t, k, v) count = count + 1; rawset(t, k, v) end })
for i = 1, 10 do cnt[i] = i end
for i = 1, 10 do cnt[i] = i * 2 end
print(count, cnt[10])
-- __index on a table with a false value stored
local falsy = setmetatable({ f = false }, { __index = function() return "fallback" end })
print(falsy.f, falsy.g)
-- __call receives the callable as first argument and can be a chain of __index lookups
local Class = setmetatable({}, { __call = function(cls, ...) return select("#", ...), cls.tag end })
Class.tag = "class tag"
print(Class(nil, nil))
-- __unm, __bnot, __len receive the operand
local un = setmetatable({ v = 3 }, {
  __unm = function(a) return -a.v end,
  __bnot = function(a) return ~a.v end,
  __len = function(a) return a.v * 10 end,
})
print(-un, ~un, #un)
-- comparison metamethods are not used for == between different types
local tbl = setmetatable({}, { __eq = function() error("should not be called") end })
print(tbl == 0, tbl ~= "x")
-- getmetatable("") has __index == string, and string methods can be added
local smt = getmetatable("")
string.shout = function(s) return s:upper() .. "!" end
print(("hey"):shout())
string.shout = nil
print(pcall(function() return ("hey"):shout() end))
-- tostring uses __name only for the type part (prefix checked)
local named = setmetatable({}, { __name = "Widget" })
print(tostring(named):sub(1, 8))
