-- table.sort with comparators: reverse, by key, counting calls, stability is not required.
local t = {5, 3, 8, 1, 9, 2, 7, 4, 6, 0}
table.sort(t, function(a, b) return a > b end)
print(table.concat(t, " "))

local recs = {}
local names = {"ann", "bob", "cid", "dee", "eve", "fay", "gus", "hal", "ivy", "jon"}
for i, n in ipairs(names) do recs[i] = {name = n, age = (i * 37) % 11} end
table.sort(recs, function(a, b)
  if a.age ~= b.age then return a.age < b.age end
  return a.name < b.name
end)
for _, r in ipairs(recs) do io.write(r.name, ":", r.age, " ") end print()

-- the number of comparisons is the same as PUC Lua's for small arrays
for _, n in ipairs{2, 3, 4, 5, 10, 20, 50, 99} do
  local a = {}
  for i = 1, n do a[i] = (i * 7919) % 101 end
  local count = 0
  table.sort(a, function(x, y) count = count + 1; return x < y end)
  print(n, count, a[1], a[n])
end

-- comparator returning non-booleans
local a = {3, 1, 2}
table.sort(a, function(x, y) if x < y then return 1 else return nil end end)
print(table.concat(a, " "))

-- all equal elements with a comparator that always says false
a = {}
for i = 1, 1000 do a[i] = false end
table.sort(a, function() return false end)
local ok = true
for i = 1, 1000 do ok = ok and a[i] == false end
print("equal ok", ok)

-- comparator that errors
print(pcall(table.sort, {3, 2, 1}, function(x, y) error("cmp failed") end))
local ok, e = pcall(table.sort, {3, 2, 1}, function(x, y) error({code = 7}) end)
print(ok, type(e), e.code)

-- a comparator that modifies unrelated fields while sorting
local A = {"álo", "\0first :-)", "alo", "then this one", "45", "and a new"}
table.sort(A, function(x, y)
  A[x] = true
  collectgarbage()
  return x < y
end)
for i = 1, #A do io.write(string.format("%q ", A[i])) end print()

-- __lt objects sorted without a comparator
local mt = {__lt = function(a, b) return a.v < b.v end}
local objs = {}
for i = 1, 30 do objs[i] = setmetatable({v = (i * 13) % 31}, mt) end
table.sort(objs)
for i = 1, #objs do io.write(objs[i].v, " ") end print()
