-- table.insert/table.remove at the end, the front and middle positions;
-- also table.move, table.concat and table.unpack on the results.
local tinsert, tremove = table.insert, table.remove
local h = 0
local function mix(n) h = (h * 31 + n) % 1000000007 end

local R = 30
for r = 1, R do
  -- stack-like use at the end
  local t = {}
  for i = 1, 100000 do tinsert(t, i + r) end
  local s = 0
  while #t > 0 do s = s + tremove(t) end
  mix(s)

  -- queue-like use at the front (small, since it is O(n) per op)
  local q = {}
  for i = 1, 600 do tinsert(q, 1, i) end
  s = 0
  for i = 1, 300 do s = s + tremove(q, 1) * i end
  mix(s + #q)

  -- middle insertions and removals
  local m = {}
  for i = 1, 2000 do tinsert(m, (i * 7919) % (#m + 1) + 1, i) end
  s = 0
  for i = 1, 1000 do s = s + tremove(m, (i * 104729) % #m + 1) end
  mix(s + #m + m[1] + m[#m])

  -- insert at #t+1 and remove at #t explicitly, remove on empty table
  local e = {}
  for i = 1, 5000 do tinsert(e, #e + 1, i) end
  for _ = 1, 2500 do tremove(e, #e) end
  mix(#e + (tremove({}) == nil and 1 or 0))

  -- table.move and concat
  local a = {}
  for i = 1, 3000 do a[i] = i % 97 end
  local b = table.move(a, 1, 3000, 2, {})
  table.move(b, 2, 1500, 1)
  mix(#b + b[1] + b[1500] + b[3001])
  mix(#table.concat(a, ",", 1, 1000))
  mix(select("#", table.unpack(a, 1, 200)))
end
print("R", R, "hash", h)
local t = { 1, 2, 3 }
tinsert(t, 2, 10); tinsert(t, 5, 20); tinsert(t, 1, 0)
print(table.concat(t, " "), tremove(t, 3), tremove(t), tremove(t, 1), table.concat(t, " "))
print(pcall(tinsert, t, 10, 1))
print(pcall(tinsert, t, 1, 2, 3))
