-- coroutine.wrap specifics.
local w = coroutine.wrap(function(a, b)
  local c = coroutine.yield(a + b)
  local d, e = coroutine.yield(c * 2)
  return d .. e
end)
print(w(1, 2))
print(w(10))
print(w("x", "y"))
print(pcall(w))
-- wrap returns a function, not a thread
print(type(w))
-- wrap with no yields returns directly
print(coroutine.wrap(function(...) return select("#", ...), ... end)(1, nil, 3))
-- wrap generators inside generic for with state
local function chars(s)
  return coroutine.wrap(function()
    for i = 1, #s do coroutine.yield(i, s:sub(i, i)) end
  end)
end
local out = {}
for i, c in chars("hello") do out[#out + 1] = c .. i end
print(table.concat(out, " "))
-- nested wrap generators
local function evens(limit)
  return coroutine.wrap(function()
    for v in coroutine.wrap(function() for i = 1, limit do coroutine.yield(i) end end) do
      if v % 2 == 0 then coroutine.yield(v) end
    end
  end)
end
out = {}
for v in evens(12) do out[#out + 1] = v end
print(table.concat(out, ","))
-- a wrapped coroutine can call another wrapped coroutine that yields to it
local inner = coroutine.wrap(function() coroutine.yield("inner 1"); coroutine.yield("inner 2") end)
local outer = coroutine.wrap(function()
  coroutine.yield("outer got " .. inner())
  coroutine.yield("outer got " .. inner())
end)
print(outer())
print(outer())
-- errors with non-string values pass through wrap unchanged
local errt = { "err" }
local we = coroutine.wrap(function() error(errt) end)
local ok, e = pcall(we)
print(ok, e == errt)
-- yield values from a wrap called in the middle of an expression
local acc = coroutine.wrap(function()
  local total = 0
  while true do total = total + (coroutine.yield(total) or 0) end
end)
acc()
print(acc(5) + acc(10) * 2)
-- isyieldable / running inside wrap
local info = coroutine.wrap(function()
  local co, main = coroutine.running()
  return coroutine.isyieldable(), main, coroutine.status(co)
end)
print(info())
