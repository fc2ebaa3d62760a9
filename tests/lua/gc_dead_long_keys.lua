-- A table entry set to nil keeps its key until the table is rebuilt. Long strings are compared
-- by contents, so that key must stay alive: storing an equal long string later revives the
-- entry, and lookups of equal strings read the old key's bytes.
local t = {}
local k1 = string.rep("x", 50)
t[k1] = 1
t[k1] = nil
k1 = nil
local k2 = string.rep("x", 50)
collectgarbage()
t[k2] = 2
local junk = {}
for i = 1, 200 do junk[i] = string.rep(string.char(65 + i % 26), 50) end
for k, v in pairs(t) do print(k, v) end
print(t[k2], t[string.rep("x", 50)])

-- Many dead long keys, looked up and revived after collections.
local names = {}
for i = 1, 100 do names[i] = ("module.with.a.rather.long.name.number.%03d"):format(i) end
local loaded = {}
for i = 1, 100 do loaded[names[i]] = i end
for i = 1, 100 do loaded[names[i]] = nil end
names = nil
collectgarbage()
for i = 1, 300 do junk[i % 200 + 1] = ("%060d"):format(i) end
local found, count = 0, 0
for i = 1, 100, 3 do
  local name = ("module.with.a.rather.long.name.number.%03d"):format(i)
  if loaded[name] == nil then found = found + 1 end
  loaded[name] = -i
end
for k, v in pairs(loaded) do
  assert(k == ("module.with.a.rather.long.name.number.%03d"):format(-v))
  count = count + 1
end
print(found, count)

-- The same in a table with weak values whose entries were cleared by the collector.
local weak = setmetatable({}, {__mode = "v"})
for i = 1, 20 do weak[("a weak entry with a long enough key, #%02d"):format(i)] = {} end
collectgarbage()
collectgarbage()
for i = 1, 300 do junk[i % 200 + 1] = ("%070d"):format(i) end
for i = 1, 20, 2 do weak[("a weak entry with a long enough key, #%02d"):format(i)] = i end
local n = 0
for k, v in pairs(weak) do
  assert(k == ("a weak entry with a long enough key, #%02d"):format(v))
  n = n + 1
end
print(n)

-- A dumped function, loaded and dumped again, gives the same bytes.
local f = function(a, ...) local x <close> = nil; return function() return a end, ... end
for _, strip in ipairs({false, true}) do
  local d1 = string.dump(f, strip)
  print(string.dump(load(d1, "f", "b"), strip) == d1)
end

-- Clearing a table during its traversal, with collections in between: `next` goes on from
-- keys whose fields are gone.
local big = {}
for i = 1, 200 do big[("a long key that is not interned at all, number %d"):format(i)] = i end
local cleared = 0
for k in pairs(big) do
  big[k] = nil
  cleared = cleared + 1
  if cleared % 20 == 0 then collectgarbage() end
end
print(cleared, next(big))
