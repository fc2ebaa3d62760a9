-- A `__close` method may yield (PUC Lua 5.4 allows it): when a block ends, when a function
-- returns (its results kept), and while a failed pcall unwinds inside a coroutine.
local function func2close(f) return setmetatable({}, {__close = f}) end
local trace = {}
local function log(s) trace[#trace + 1] = s end

-- Block exit and return, Lua methods that yield.
local co = coroutine.wrap(function(...)
  do
    local a <close> = func2close(function() log("a1"); coroutine.yield("a"); log("a2") end)
    local b <close> = func2close(function() log("b1"); coroutine.yield("b"); log("b2") end)
    log("body")
  end
  local c <close> = func2close(function() log("c1"); coroutine.yield("c"); log("c2") end)
  return "r1", ...
end)
print(co("x", "y"))
print(co())
print(co())
print(co())
print(table.concat(trace, " "))

-- coroutine.yield itself as the method; multiple results, fixed and variable.
local function check(f, ...)
  local c = coroutine.wrap(f)
  local got = table.pack(c(...))
  while got[1] ~= "done" do
    print("yielded", got.n, type(got[1]))
    got = table.pack(c("resumed"))
  end
  print(table.unpack(got, 1, got.n))
end
check(function() local x <close> = func2close(coroutine.yield); return "done" end)
check(function(...)
  local x <close> = func2close(coroutine.yield)
  local y <close> = func2close(coroutine.yield)
  return "done", ...
end, 1, 2, 3)
check(function()
  local x <close> = func2close(coroutine.yield)
  local v = 10
  return "done", v, table.unpack({}, 1, 30)
end)
check(function()
  local x <close> = func2close(coroutine.yield)
  local keep = "kept"
  do local y <close> = func2close(coroutine.yield) end
  return "done", keep
end)

-- While a pcall unwinds: each method gets the error, may yield, and an error it raises
-- replaces the one being unwound.
trace = {}
co = coroutine.wrap(function()
  local function body(fail)
    local z <close> = func2close(function(_, e) log("z:" .. tostring(e)); coroutine.yield("z") end)
    local y <close> = func2close(function(_, e)
      log("y:" .. tostring(e)); coroutine.yield("y")
      if fail then error(fail .. "+y", 0) end
    end)
    local x <close> = func2close(function(_, e) log("x:" .. tostring(e)); coroutine.yield("x") end)
    error("E", 0)
  end
  coroutine.yield(pcall(body))
  return pcall(body, "F")
end)
for _ = 1, 8 do print(co()) end
print(table.concat(trace, " "))

-- xpcall's handler sees the error of each method, and the methods are called by the xpcall.
co = coroutine.wrap(function()
  return xpcall(function()
    local a <close> = func2close(function(_, e)
      coroutine.yield(e, debug.getinfo(2, "n").name)
      error("from a", 0)
    end)
    error("first", 0)
  end, function(m) return "handled(" .. m .. ")" end)
end)
print(co())
print(co())

-- Outside a coroutine the methods run as usual; an error in one goes on to the next.
print(pcall(function()
  local a <close> = func2close(function(_, e) print("a got", e) end)
  local b <close> = func2close(function(_, e) print("b got", e); error("b failed", 0) end)
  return "unreached"
end))

-- A coroutine closed while suspended in a method: the remaining ones run.
trace = {}
co = coroutine.create(function()
  local a <close> = func2close(function() log("a") end)
  local b <close> = func2close(function() log("b1"); coroutine.yield(); log("b2") end)
end)
print(coroutine.resume(co))
print(coroutine.status(co), coroutine.close(co), coroutine.status(co))
print(table.concat(trace, " "))

-- Yields across a native remain an error.
print(pcall(function()
  local c = coroutine.wrap(function()
    table.sort({1, 2, 3}, function(a, b)
      local x <close> = func2close(coroutine.yield)
      return a < b
    end)
  end)
  return c()
end))
