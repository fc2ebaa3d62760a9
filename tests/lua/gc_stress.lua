-- Allocation-heavy code: data must stay intact while lots of garbage is produced.
-- (No collectgarbage calls; the collector runs on its own.)
local function checksum_list(l)
  local s, n = 0, 0
  while l do s = s + l.v; n = n + 1; l = l.next end
  return s, n
end
-- a long-lived linked list built while producing garbage
local keep
for i = 1, 50000 do
  keep = { v = i, next = keep }
  local garbage = { i, i + 1, tostring(i), { nested = i } }
  garbage = nil
end
print(checksum_list(keep))
-- cycles that become garbage
for i = 1, 20000 do
  local a, b = {}, {}
  a.other, b.other = b, a
  a.self = a
end
print("cycles done")
-- closures keeping tables alive
local closures = {}
for i = 1, 2000 do
  local data = { i, i * 2, name = "item" .. i }
  closures[i] = function() return data[1] + data[2], data.name end
  for j = 1, 10 do local tmp = { j, tostring(j * i) } end
end
local total = 0
for i = 1, #closures do total = total + closures[i]() end
print(total, select(2, closures[2000]()))
-- many strings created and dropped, a few kept as table keys
local kept = {}
for i = 1, 30000 do
  local s = "str" .. i .. ("x"):rep(i % 50)
  if i % 1000 == 0 then kept[s] = i end
end
local cnt, ksum = 0, 0
for k, v in pairs(kept) do cnt = cnt + 1; ksum = ksum + v + #k end
print(cnt, ksum)
-- string keys built dynamically must find the same entries
print(kept["str1000"], kept["str" .. 2000 .. ("x"):rep(0)], kept["str3000" .. ""])
-- suspended coroutines keep their stacks alive
local cos = {}
for i = 1, 500 do
  cos[i] = coroutine.create(function()
    local mine = { value = i, text = "co" .. i }
    coroutine.yield()
    for _ = 1, 5 do local junk = { mine.value } end
    return mine.value, mine.text
  end)
  coroutine.resume(cos[i])
end
for i = 1, 20000 do local junk = { i, { i } } end
local csum = 0
for i = 1, #cos do
  local ok, v, text = coroutine.resume(cos[i])
  if ok and text == "co" .. i then csum = csum + v end
end
print(csum)
-- tables with metatables that are only reachable through the metatable chain
local base = { greet = function() return "hi from base" end }
local objs = {}
for i = 1, 1000 do
  objs[i] = setmetatable({}, { __index = setmetatable({ id = i }, { __index = base }) })
end
for i = 1, 20000 do local junk = setmetatable({}, { __index = {} }) end
print(objs[1].greet(), objs[500].id, objs[1000].id)
-- growing and shrinking a table repeatedly
local t = {}
for round = 1, 5 do
  for i = 1, 20000 do t[i] = { round, i } end
  for i = 20000, 1, -1 do t[i] = nil end
end
print(#t, next(t))
-- big strings
local big = ("abcdefghij"):rep(100000)
local pieces = {}
for i = 1, 100 do pieces[i] = big:sub(i, i + 9) end
print(#big, table.concat(pieces, "", 1, 3))
-- upvalues of finished closures stay correct after much allocation
local function make()
  local n = 0
  return function() n = n + 1; return n end
end
local counters = {}
for i = 1, 100 do counters[i] = make() end
for i = 1, 100 do for _ = 1, i do counters[i]() end end
for i = 1, 50000 do local junk = { i } end
local csum2 = 0
for i = 1, 100 do csum2 = csum2 + counters[i]() end
print(csum2)
