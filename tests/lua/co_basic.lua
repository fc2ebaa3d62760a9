-- Coroutines: passing values in both directions.
local co = coroutine.create(function(a, b)
  print("started with", a, b)
  local c = coroutine.yield(a + b)
  print("resumed with", c)
  local d, e = coroutine.yield(c * 2)
  print("resumed with", d, e)
  return "done", d + e
end)
print(type(co))
print(coroutine.resume(co, 1, 2))
print(coroutine.resume(co, 10))
print(coroutine.resume(co, 3, 4))
print(coroutine.resume(co))
-- yield with no values and multiple values
co = coroutine.create(function()
  coroutine.yield()
  coroutine.yield(nil)
  coroutine.yield(1, nil, 3, nil)
  return
end)
local function show(...) print(select("#", ...), ...) end
show(coroutine.resume(co))
show(coroutine.resume(co))
show(coroutine.resume(co))
show(coroutine.resume(co))
-- resume passes extra values to yield's return
co = coroutine.create(function(...)
  local got = table.pack(...)
  while true do
    got = table.pack(coroutine.yield(got.n))
  end
end)
show(coroutine.resume(co))
show(coroutine.resume(co, nil, nil))
show(coroutine.resume(co, 1, 2, 3, 4, 5))
-- generators
local function gen(n)
  return coroutine.wrap(function()
    for i = 1, n do coroutine.yield(i) end
    return nil
  end)
end
local g = gen(5)
local vals = {}
for v in g do vals[#vals + 1] = v end
print(table.concat(vals, " "))
-- fibonacci generator
local function fibgen()
  return coroutine.wrap(function()
    local a, b = 0, 1
    while true do
      coroutine.yield(a)
      a, b = b, a + b
    end
  end)
end
local fg = fibgen()
local fibs = {}
for i = 1, 15 do fibs[i] = fg() end
print(table.concat(fibs, ","))
-- yield from nested Lua calls
local function deep(n)
  if n == 0 then coroutine.yield("bottom") return "up" end
  local r = deep(n - 1)
  return r .. n
end
co = coroutine.create(function() return deep(5) end)
print(coroutine.resume(co))
print(coroutine.resume(co))
-- many coroutines alive at once
local cos = {}
for i = 1, 10 do
  cos[i] = coroutine.create(function(x)
    local y = coroutine.yield(x * i)
    return y + i
  end)
end
local r1, r2 = {}, {}
for i = 1, 10 do local _, v = coroutine.resume(cos[i], 2); r1[i] = v end
for i = 1, 10 do local _, v = coroutine.resume(cos[i], 100); r2[i] = v end
print(table.concat(r1, " "))
print(table.concat(r2, " "))
-- coroutine with upvalues shared with the main thread
local shared = 0
co = coroutine.wrap(function()
  while true do shared = shared + 1; coroutine.yield() end
end)
co(); co(); co()
print("shared", shared)
-- passing functions and tables through yield
co = coroutine.create(function()
  local t = coroutine.yield({ 1, 2, 3 })
  return t.answer
end)
local _, tbl = coroutine.resume(co)
print(#tbl, tbl[3])
print(coroutine.resume(co, { answer = 42 }))
-- long-running coroutine loop
co = coroutine.wrap(function()
  local total = 0
  while true do
    local v = coroutine.yield(total)
    total = total + v
  end
end)
co()
local last
for i = 1, 10000 do last = co(i) end
print("total", last)
