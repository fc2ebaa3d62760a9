-- Numeric for loops.
local function collect(a, b, c)
  local out = {}
  if c then
    for i = a, b, c do out[#out + 1] = tostring(i) end
  else
    for i = a, b do out[#out + 1] = tostring(i) end
  end
  return #out .. ": " .. table.concat(out, " ")
end
print(collect(1, 5))
print(collect(5, 1))
print(collect(5, 1, -1))
print(collect(1, 10, 3))
print(collect(10, 1, -3))
print(collect(1, 1))
print(collect(0, -1))
print(collect(-3, 3, 2))
print(collect(1.0, 3))
print(collect(1, 3.5))
print(collect(1, 2, 0.5))
print(collect(0, 1, 0.1))
print(collect(1, 0, -0.25))
print(collect(0.1, 0.35, 0.05))
print(collect(3, 1.5, -1))
print(collect(1, 3, 1.0))
print(collect(-1.5, 1.5))
-- float loop accumulates (no exact count guarantees beyond IEEE)
local n = 0
for x = 0, 1, 0.1 do n = n + 1 end
print("0..1 step 0.1 iterations", n)
-- loop variable type
for i = 1, 2 do print(i, math.type(i)) end
for i = 1.0, 2 do print(i, math.type(i)) end
for i = 1, 2.0 do print(i, math.type(i)) end
for i = 1, 2, 1.0 do print(i, math.type(i)) end
-- the limit is evaluated once
local limit = 3
local iters = 0
for i = 1, limit do limit = 10; iters = iters + 1 end
print("iters", iters)
-- modifying the loop variable does not affect iteration
local seen = {}
for i = 1, 3 do
  seen[#seen + 1] = i
  i = i * 10
  seen[#seen + 1] = i
end
print(table.concat(seen, " "))
-- bounds evaluated in order, once
local log = {}
local function L(v) log[#log + 1] = v; return v end
for i = L(1), L(2), L(1) do end
print(table.concat(log, ","))
-- numeric strings are converted (Lua 5.4.4 quirk: the loop then runs on floats
-- unless both init and step were integers)
for i = "1", 2 do print("str init", i, math.type(i)) end
for i = 1, "2" do print("str limit", i, math.type(i)) end
for i = 1, 2, "1" do print("str step", i, math.type(i)) end
-- non-numeric values are errors
print(pcall(function() for i = "x", 2 do end end))
print(pcall(function() for i = 1, "y" do end end))
print(pcall(function() for i = 1, 2, "z" do end end))
print(pcall(function() for i = 1, 2, 0 do end end))
print(pcall(function() for i = 1.0, 2, 0 do end end))
print(pcall(function() for i = 1, 2, 0.0 do end end))
print(pcall(function() for i = nil, 2 do end end))
print(pcall(function() for i = 1, {} do end end))
print(pcall(function() local s = {}; for i = 1, 2, s do end end))
-- large and nested loops
local total = 0
for i = 1, 100 do
  for j = i, 100 do total = total + 1 end
end
print(total)
local sum = 0
for i = 1, 100000 do sum = sum + i end
print(sum)
