-- math.random ranges: power-of-two spans, huge spans, full integer range, floats in [0,1).
math.randomseed(2024)
local function sample(n, ...)
  local out = {}
  for i = 1, n do out[i] = math.random(...) end
  return table.concat(out, " ")
end
print(sample(8, 1, 2))
print(sample(8, 0, 7))
print(sample(8, 1, 3))
print(sample(8, 10, 10))
print(sample(5, -5, -1))
print(sample(4, math.mininteger, math.maxinteger))
print(sample(4, 0, math.maxinteger))
print(sample(4, math.mininteger, -1))
print(sample(4, math.maxinteger - 3, math.maxinteger))
print(sample(4, math.mininteger, math.mininteger + 2))
print(sample(4, 1, 2^40))
print(sample(4, 1, 3 * 2^50 + 17))
print(sample(6, 1.0, 6.0))
print(sample(6, "3"))
-- ranges are respected
local lo, hi = math.huge, -math.huge
for i = 1, 10000 do
  local r = math.random(-3, 3)
  assert(math.type(r) == "integer")
  lo = math.min(lo, r); hi = math.max(hi, r)
end
print(lo, hi)
local fl, fh = 1, 0
for i = 1, 10000 do
  local f = math.random()
  assert(0 <= f and f < 1 and math.type(f) == "float")
  fl = math.min(fl, f); fh = math.max(fh, f)
end
print(fl < 0.01, fh > 0.99)
-- errors (still advance the generator, as in Lua)
local function try(...) print(pcall(math.random, ...)) end
try(2, 1)
try(0, -1)
try(-5)
try(1.5)
try(1, 2.5)
try("x")
try(1, 2, 3)
try({})
print(math.random(1, 100))
print(pcall(math.randomseed, 1.5))
print(pcall(math.randomseed, "x"))
print(pcall(math.randomseed, 1, {}))
print(select("#", math.randomseed()), math.type((math.randomseed())))
