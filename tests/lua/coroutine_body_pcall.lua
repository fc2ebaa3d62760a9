-- coroutine.create(pcall) / wrap(pcall) / create(xpcall): the protected call is the coroutine's
-- bottom frame; the function may yield, and errors (also from __close) end the coroutine.
local function func2close(f) return setmetatable({}, {__close = f}) end
local track = {}
local function h(o) local hv <close> = o; return 1 end
local function foo()
  local x <close> = func2close(function(_, msg) track[#track + 1] = msg or false; error(20) end)
  local y <close> = func2close(function(_, msg) track[#track + 1] = msg or false; return 1 end)
  local z <close> = func2close(function(_, msg) track[#track + 1] = msg or false; error(10) end)
  coroutine.yield(1)
  h(func2close(function(_, msg) track[#track + 1] = msg or false; error(2) end))
end
local co = coroutine.create(pcall)
local st, res = coroutine.resume(co, foo)
print(st, res)
local st, res1, res2 = coroutine.resume(co)
print(coroutine.status(co), st, res1, res2)
print(table.unpack(track))
local co2 = coroutine.wrap(pcall)
print(co2(function(a) local b = coroutine.yield(a + 1) return b * 2 end, 10))
print(co2(21))
local co3 = coroutine.create(xpcall)
print(coroutine.resume(co3, function() coroutine.yield("y") error("E") end, function(m) return "H:" .. m end))
print(coroutine.resume(co3))
print(coroutine.status(co3))
print(coroutine.resume(coroutine.create(pcall), error, "plain"))
