-- Closures capturing loop variables get a fresh variable per iteration.
local fs = {}
for i = 1, 5 do fs[i] = function() return i end end
local out = {}
for i = 1, 5 do out[i] = fs[i]() end
print(table.concat(out, " "))
-- float loop
local ff = {}
for x = 0.5, 2.5 do ff[#ff + 1] = function() return x end end
print(ff[1](), ff[2](), ff[3]())
-- while loop with a local inside the body: fresh each iteration
local ws = {}
local k = 0
while k < 3 do
  k = k + 1
  local captured = k
  ws[k] = function() captured = captured + 100; return captured end
end
print(ws[1](), ws[1](), ws[2](), ws[3]())
-- a local declared outside the loop is shared
local shared = {}
local s = 0
for i = 1, 3 do
  s = i
  shared[i] = function() return s end
end
print(shared[1](), shared[2](), shared[3]())
-- closures in generic for capture both variables
local gs = {}
for k2, v in ipairs({ "a", "b", "c" }) do gs[k2] = function() return k2 .. v end end
print(gs[1](), gs[2](), gs[3]())
-- modifying a captured loop variable inside the closure does not affect the loop
local mods = {}
for i = 1, 3 do
  mods[i] = function() i = i * 10; return i end
end
print(mods[1](), mods[1](), mods[2](), mods[3]())
-- closures created in nested loops
local grid = {}
for r = 1, 3 do
  for c = 1, 3 do
    grid[#grid + 1] = function() return r * 10 + c end
  end
end
local g = {}
for i = 1, #grid do g[i] = grid[i]() end
print(table.concat(g, " "))
-- repeat loop: closures capture body locals that are visible in until
local rs = {}
local n = 0
repeat
  n = n + 1
  local m = n * n
  rs[n] = function() return m end
until m >= 16
print(#rs, rs[1](), rs[2](), rs[3](), rs[4]())
-- closures capturing a variable that is closed on break
local bs = {}
for i = 1, 10 do
  local v = i * 2
  bs[#bs + 1] = function() v = v + 1; return v end
  if i == 2 then break end
end
print(bs[1](), bs[1](), bs[2]())
-- closures survive after the creating function returns
local function make_all(n)
  local res = {}
  for i = 1, n do
    local acc = 0
    res[i] = function(d) acc = acc + d * i; return acc end
  end
  return res
end
local adders = make_all(3)
print(adders[1](1), adders[1](1), adders[2](1), adders[3](2), adders[3](2))
