-- Multiple assignment: targets whose table or key is a local assigned by the same statement,
-- and subtraction of small integer constants (compiled as an add of the negation, like Lua).
local t = {}
local i = 1
i, t[i] = i + 1, 20
print(i, t[1], t[2])

local a, b = {}, {}
local x = a
x, x[1] = b, "first"
print(a[1], b[1], x == b)

local k = "key"
t[k], k = "v", "other"
print(t.key, t.other, k)

local perm = {[0] = 0, 1, 2, 3, 4}
local p, q = 0, 4
while p < q do
  perm[p], perm[q] = perm[q], perm[p]
  p = p + 1
  q = q - 1
end
print(perm[0], perm[1], perm[2], perm[3], perm[4])

-- an upvalue target that is also used as a table
local u = {}
local function f()
  u[1], u = "x", {}
  return u
end
local old = u
print(f() ~= old, old[1])

-- a call among the values that changes a captured key local
local j = 1
local function bump() j = 2 return "called" end
local r = {}
r[j], r.z = bump(), "z"
print(r[1], r[2], r.z)

-- subtraction forms
local nz = -0.0
print(nz - 0, nz - 0.0, 5 - 3, 5.5 - 2, math.mininteger - 1, math.maxinteger - -1)
print(pcall(function() local n; return n - 1 end))
local mt = {__sub = function(l, rr) return ("sub:" .. tostring(rr)) end}
print(setmetatable({}, mt) - 7, setmetatable({}, mt) - -3)
print(("10" - 1), math.type("10" - 1), ("2.5" - 1))

-- constant on the left of + and * (compiled with the operands swapped)
local z = 3
print(2 * z, 2.0 * z, 1 + z, 0.5 + z, 2^53 * z, -0.0 * z, 10 * 0.5)
local mt2 = {__add = function(l, rr) return type(l) .. "+" .. type(rr) end,
             __mul = function(l, rr) return type(l) .. "*" .. type(rr) end}
local o = setmetatable({}, mt2)
print(1 + o, o + 1, 2.5 * o, o * 2.5, "3" * 2, 2 * "3")
print(pcall(function() local n; return 2 * n end))
print(pcall(function() return 1 + {} end))
