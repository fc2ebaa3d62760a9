-- math.random/randomseed: ranges and argument errors; values only through properties.
math.randomseed(42)
local ok = true
for _ = 1, 1000 do
  local x = math.random()
  if not (x >= 0 and x < 1 and math.type(x) == "float") then ok = false end
  local y = math.random(6)
  if not (y >= 1 and y <= 6 and math.type(y) == "integer") then ok = false end
  local z = math.random(-3, 3)
  if not (z >= -3 and z <= 3) then ok = false end
end
print(ok)
print(math.random(5, 5), math.random(math.mininteger, math.mininteger), math.random(math.maxinteger, math.maxinteger))
print(math.type(math.random(0)), math.type(math.random(math.mininteger, math.maxinteger)))
math.randomseed(7)
local a = { math.random(100), math.random(100), math.random(100) }
math.randomseed(7)
local b = { math.random(100), math.random(100), math.random(100) }
print(a[1] == b[1] and a[2] == b[2] and a[3] == b[3])
math.randomseed(7, 0)
local c = math.random(100)
print(c == a[1])
print(pcall(math.random, 2, 1))
print(pcall(math.random, 0, -1))
print(pcall(math.random, 1, 2, 3))
print(pcall(math.random, 1.5))
print(pcall(math.random, "x"))
print(pcall(math.random, 1, 2.5))
print(math.random(3.0) <= 3, math.random("2") <= 2)
print(pcall(math.randomseed, "x"))
print(pcall(math.randomseed, 1.5))
print(select("#", math.randomseed(1)) >= 0)
