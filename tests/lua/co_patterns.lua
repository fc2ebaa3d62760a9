-- Producer/consumer, pipelines, schedulers built on coroutines.
-- producer / consumer ping-pong
local function producer(items)
  return coroutine.create(function()
    for _, it in ipairs(items) do coroutine.yield(it) end
    return nil
  end)
end
local function consumer(prod)
  local got = {}
  while true do
    local ok, item = coroutine.resume(prod)
    if not item then break end
    got[#got + 1] = item
  end
  return table.concat(got, " ")
end
print(consumer(producer({ "a", "b", "c", "d" })))
-- pipeline: producer -> filter -> consumer
local function filter(src, pred)
  return coroutine.wrap(function()
    for v in src do if pred(v) then coroutine.yield(v) end end
  end)
end
local function numbers(n)
  return coroutine.wrap(function() for i = 1, n do coroutine.yield(i) end end)
end
local function map(src, f)
  return coroutine.wrap(function() for v in src do coroutine.yield(f(v)) end end)
end
local out = {}
for v in map(filter(numbers(20), function(x) return x % 3 == 0 end), function(x) return x * x end) do
  out[#out + 1] = v
end
print(table.concat(out, " "))
-- round-robin scheduler
local tasks, log = {}, {}
local function spawn(name, steps)
  tasks[#tasks + 1] = coroutine.create(function()
    for i = 1, steps do
      log[#log + 1] = name .. i
      coroutine.yield()
    end
  end)
end
spawn("A", 3); spawn("B", 1); spawn("C", 2)
while #tasks > 0 do
  local i = 1
  while i <= #tasks do
    coroutine.resume(tasks[i])
    if coroutine.status(tasks[i]) == "dead" then table.remove(tasks, i) else i = i + 1 end
  end
end
print(table.concat(log, " "))
-- ping-pong between two coroutines through a driver
local ping, pong
local trace = {}
ping = coroutine.create(function(n)
  while n > 0 do
    trace[#trace + 1] = "ping" .. n
    n = coroutine.yield(n - 1)
  end
  return "ping done"
end)
pong = coroutine.create(function(n)
  while n > 0 do
    trace[#trace + 1] = "pong" .. n
    n = coroutine.yield(n - 1)
  end
  return "pong done"
end)
local n, cur, other = 6, ping, pong
while true do
  local ok, v = coroutine.resume(cur, n)
  if coroutine.status(cur) == "dead" then trace[#trace + 1] = v; break end
  n = v
  cur, other = other, cur
end
print(table.concat(trace, " "))
-- permutations generator (classic recursive yield)
local function permgen(a, k)
  k = k or #a
  if k <= 1 then coroutine.yield(a) return end
  for i = 1, k do
    a[k], a[i] = a[i], a[k]
    permgen(a, k - 1)
    a[k], a[i] = a[i], a[k]
  end
end
local perms = {}
for p in coroutine.wrap(function() permgen({ 1, 2, 3 }) end) do perms[#perms + 1] = table.concat(p) end
print(#perms, table.concat(perms, " "))
-- tree walk with coroutines
local tree = { v = 4, l = { v = 2, l = { v = 1 }, r = { v = 3 } }, r = { v = 6, l = { v = 5 }, r = { v = 7 } } }
local function walk(node)
  if not node then return end
  walk(node.l)
  coroutine.yield(node.v)
  walk(node.r)
end
local inorder = {}
for v in coroutine.wrap(function() walk(tree) end) do inorder[#inorder + 1] = v end
print(table.concat(inorder, " "))
-- a coroutine used as a state machine with input
local parser = coroutine.wrap(function(c)
  local words, cur = {}, ""
  while c do
    if c == " " then
      if #cur > 0 then words[#words + 1] = cur; cur = "" end
    else
      cur = cur .. c
    end
    c = coroutine.yield(#words)
  end
  if #cur > 0 then words[#words + 1] = cur end
  return table.concat(words, "|")
end)
local text = "the quick  brown fox"
local result
for i = 1, #text do result = parser(text:sub(i, i)) end
print(result, parser(nil))
