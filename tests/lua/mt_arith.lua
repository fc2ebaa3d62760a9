-- Arithmetic metamethods.
local V = {}
V.__index = V
local function vec(x, y) return setmetatable({ x = x, y = y }, V) end
local function show(v) if getmetatable(v) == V then return "(" .. v.x .. "," .. v.y .. ")" end return tostring(v) end
V.__add = function(a, b)
  if type(a) == "number" then return vec(a + b.x, a + b.y) end
  if type(b) == "number" then return vec(a.x + b, a.y + b) end
  return vec(a.x + b.x, a.y + b.y)
end
V.__sub = function(a, b) return vec(a.x - b.x, a.y - b.y) end
V.__mul = function(a, b)
  if type(a) == "number" then return vec(a * b.x, a * b.y) end
  if type(b) == "number" then return vec(a.x * b, a.y * b) end
  return a.x * b.x + a.y * b.y
end
V.__div = function(a, b) return vec(a.x / b, a.y / b) end
V.__mod = function(a, b) return vec(a.x % b, a.y % b) end
V.__pow = function(a, b) return vec(a.x ^ b, a.y ^ b) end
V.__unm = function(a, b) return vec(-a.x, -a.y), "ignored" end
V.__idiv = function(a, b) return vec(a.x // b, a.y // b) end
local a, b = vec(1, 2), vec(10, 20)
print(show(a + b), show(a + 1), show(1 + a), show(b - a))
print(a * b, show(a * 3), show(3 * a))
print(show(b / 4), show(b % 3), show(a ^ 2), show(-a), show(b // 3))
-- __unm receives the operand twice
local unm_args
local U = setmetatable({}, { __unm = function(x, y) unm_args = (x == y); return "negated" end })
print(-U, unm_args)
-- operands order is preserved for non-commutative ops
local log = {}
local L = {}
for _, ev in ipairs({ "__add", "__sub", "__mul", "__div", "__mod", "__pow", "__idiv" }) do
  L[ev] = function(x, y)
    local function name(v) if type(v) == "table" then return "T" end return tostring(v) end
    log[#log + 1] = ev .. "(" .. name(x) .. "," .. name(y) .. ")"
    return ev
  end
end
local T = setmetatable({}, L)
local _ = { T + 1, 1 + T, T - 2, 2 - T, T * 3, "3" * T, T / 4, 4 / T, T % 5, 5 % T, T ^ 6, 6 ^ T, T // 7, 7 // T, T + T }
print(table.concat(log, " "))
-- metamethod is looked up in the first operand, then the second
local A = setmetatable({}, { __add = function() return "A's add" end })
local B = setmetatable({}, { __add = function() return "B's add" end })
print(A + B, B + A, A + 1, 1 + B)
local plain = {}
print(plain + A, A + plain)
-- results are not adjusted: metamethod results used as is
local R = setmetatable({}, { __add = function() return nil end, __sub = function() return false end })
print(R + 1, R - 1)
-- numbers with string operands use string coercion before metamethods
local S = setmetatable({}, { __add = function(x, y) return "S add " .. type(x) .. " " .. type(y) end })
print(S + "10", "10" + S)
-- errors when no metamethod is present
print(pcall(function() return plain + 1 end))
print(pcall(function() return 1 * plain end))
print(pcall(function() local t = {}; return t.x + 1 end))
print(pcall(function() local t = {}; return -t end))
print(pcall(function() return plain .. "x" end))
-- metamethods receive the original operands (no conversion)
local C = setmetatable({}, { __mul = function(x, y) return math.type(y) or type(y) end })
print(C * 2, C * 2.0, C * "2")
-- complex numbers example
local Complex = {}
Complex.__index = Complex
local function cx(r, i) return setmetatable({ r = r, i = i }, Complex) end
Complex.__add = function(p, q) return cx(p.r + q.r, p.i + q.i) end
Complex.__mul = function(p, q) return cx(p.r * q.r - p.i * q.i, p.r * q.i + p.i * q.r) end
Complex.__eq = function(p, q) return p.r == q.r and p.i == q.i end
Complex.__tostring = function(p) return p.r .. "+" .. p.i .. "i" end
local z = cx(1, 2) * cx(3, 4) + cx(1, 1)
print(tostring(z), z == cx(-4, 11), z ~= cx(0, 0))
