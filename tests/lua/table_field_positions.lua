-- The same field names at different positions in different tables: lookups, stores and
-- deletions must find the right entry however the previous lookup of that name went.
local a = { x = 1, y = 2, z = 3 }
local b = { z = 30, y = 20, x = 10 }
local c = { w = 400, x = 100 }
local d = {}

local function show(t)
  return tostring(t.x) .. "," .. tostring(t.y) .. "," .. tostring(t.z) .. "," .. tostring(t.w)
end

for round = 1, 3 do
  print(round, show(a), show(b), show(c), show(d))
  a.x, b.x, c.x = a.x + 1, b.x + 1, c.x + 1
  d.y = round
end

-- Deleting and re-adding moves a field; growth rebuilds the hash part.
b.y = nil
print(show(b), b.y)
b.y = 21
for i = 1, 20 do b["k" .. i] = i end
print(show(b), b.k1, b.k20)
b.x = nil
b.x = 11
print(show(b), rawget(b, "x"), rawget(a, "x"))

-- Objects built by one constructor share positions; one built differently does not.
local function point(x, y) return { x = x, y = y } end
local pts = {}
for i = 1, 5 do pts[i] = point(i, i * i) end
pts[6] = { y = 36, x = 6, tag = "odd" }
local sx, sy = 0, 0
for _, p in ipairs(pts) do
  sx, sy = sx + p.x, sy + p.y
  p.x = p.x * 2
end
print(sx, sy, pts[1].x, pts[6].x, pts[6].tag)

-- Methods through a class, and globals through an environment with a fallback.
local Class = {}
Class.__index = Class
function Class.get(self) return self.value end
local o1 = setmetatable({ value = "one" }, Class)
local o2 = setmetatable({ pad = true, value = "two" }, Class)
print(o1:get(), o2:get(), o1.get == o2.get)
local env = setmetatable({ value = "env" }, { __index = _G })
local f = load("return value, type(print)", "chunk", "t", env)
print(f())
env.value = nil
print(f())
