-- __eq, __lt, __le.
local calls = {}
local E = { __eq = function(a, b) calls[#calls + 1] = "eq"; return a.v == b.v end }
local function e(v) return setmetatable({ v = v }, E) end
local x, y, z = e(1), e(1), e(2)
print(x == y, x == z, x ~= y, x ~= z, x == x)
print(#calls)
-- __eq is not called for the same object or different types
calls = {}
print(x == x, x == 1, x == "1", x == nil, #calls)
-- __eq result converted to boolean
local W = { __eq = function() return "yes" end }
local w1, w2 = setmetatable({}, W), setmetatable({}, W)
print(w1 == w2, w1 ~= w2)
local W0 = { __eq = function() return nil end }
print(setmetatable({}, W0) == setmetatable({}, W0))
-- __eq tried from first then second operand
local only2 = setmetatable({}, { __eq = function() return true end })
print({} == only2, only2 == {})
-- rawequal bypasses __eq
print(rawequal(x, y), rawequal(x, x), rawequal(1, 1.0), rawequal("a", "a"))
-- __lt and __le
local O = {}
O.__lt = function(a, b)
  local av = type(a) == "table" and a.v or a
  local bv = type(b) == "table" and b.v or b
  return av < bv
end
O.__le = function(a, b)
  local av = type(a) == "table" and a.v or a
  local bv = type(b) == "table" and b.v or b
  return av <= bv
end
local function o(v) return setmetatable({ v = v }, O) end
local a, b = o(1), o(2)
print(a < b, a > b, a <= b, a >= b, a < a, a <= a)
print(a < 5, 5 < a, a <= 1, 0 >= a)
-- results converted to boolean
local T = { __lt = function() return 1 end, __le = function() return nil end }
local t1, t2 = setmetatable({}, T), setmetatable({}, T)
print(t1 < t2, t1 <= t2, t1 > t2, t1 >= t2)
-- (the __le -> not __lt fallback is a LUA_COMPAT_5_3 build option, which Debian's
-- lua5.4 enables; it is deliberately not tested here)
local onlylt = { __lt = function() return true end }
local p, q = setmetatable({}, onlylt), setmetatable({}, onlylt)
print(p < q, q > p)
-- errors without metamethods
print(pcall(function() return {} < {} end))
print(pcall(function() return {} <= 1 end))
print(pcall(function() return 1 > {} end))
-- comparison used in sorting with __lt
local items = { o(5), o(3), o(9), o(1) }
for i = 2, #items do
  local v = items[i]
  local j = i - 1
  while j >= 1 and v < items[j] do items[j + 1] = items[j]; j = j - 1 end
  items[j + 1] = v
end
local vs = {}
for i = 1, #items do vs[i] = items[i].v end
print(table.concat(vs, " "))
-- mixed: string vs table with __lt
local SL = setmetatable({}, { __lt = function(a, b) return type(a) .. "<" .. type(b) ~= "" end })
print("str" < SL, SL < "str")
