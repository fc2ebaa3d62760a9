-- math.random with fixed seeds must reproduce PUC Lua 5.4's xoshiro256** sequences exactly.
math.randomseed(42)
print(math.random(1, 100), math.random(), math.random(0))
for _, seed in ipairs{0, 1, 42, -1, 123456789, math.maxinteger, math.mininteger} do
  print("seed", seed, math.randomseed(seed))
  local out = {}
  for i = 1, 6 do out[#out + 1] = string.format("%.17g", math.random()) end
  print(table.concat(out, " "))
  out = {}
  for i = 1, 6 do out[#out + 1] = math.random(0) end
  print(table.concat(out, " "))
  out = {}
  for i = 1, 10 do out[#out + 1] = math.random(6) end
  print(table.concat(out, " "))
  out = {}
  for i = 1, 10 do out[#out + 1] = math.random(-1000, 1000) end
  print(table.concat(out, " "))
end
-- two-part seeds
print(math.randomseed(7, 11))
print(math.random(1, 10), math.random(1, 1000000), math.random(0))
print(math.randomseed(7.0, "11"))
print(math.random(1, 10), math.random(1, 1000000), math.random(0))
-- same seed, same sequence
math.randomseed(99)
local a = {}
for i = 1, 20 do a[i] = math.random(1000) end
math.randomseed(99)
local same = true
for i = 1, 20 do same = same and a[i] == math.random(1000) end
print("repeatable", same)
