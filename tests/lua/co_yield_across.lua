-- Yielding across pcall, metamethods and iterators.
-- yield inside pcall inside a coroutine
local co = coroutine.create(function()
  local ok, v = pcall(function()
    local got = coroutine.yield("yield in pcall")
    return got * 2
  end)
  coroutine.yield("pcall returned", ok, v)
  local ok2, e = pcall(function()
    coroutine.yield("before error")
    error("after resume", 0)
  end)
  return "end", ok2, e
end)
print(coroutine.resume(co))
print(coroutine.resume(co, 21))
print(coroutine.resume(co))
print(coroutine.resume(co))
print(coroutine.status(co))
-- yield inside xpcall with handler
co = coroutine.create(function()
  return xpcall(function()
    coroutine.yield("in xpcall")
    error("xp", 0)
  end, function(m) return "handled " .. m end)
end)
print(coroutine.resume(co))
print(coroutine.resume(co))
-- yield inside an __index function
local lazy = setmetatable({}, { __index = function(t, k)
  local v = coroutine.yield("need " .. k)
  rawset(t, k, v)
  return v
end })
co = coroutine.wrap(function()
  local a = lazy.alpha
  local b = lazy.beta
  local a2 = lazy.alpha -- cached, no yield
  return a .. "+" .. b .. "+" .. a2
end)
print(co())
print(co("A"))
print(co("B"))
-- yield inside arithmetic, comparison and concat metamethods
local M = {}
M.__add = function(x, y) return coroutine.yield("add") end
M.__lt = function(x, y) return coroutine.yield("lt") end
M.__le = function(x, y) return coroutine.yield("le") end
M.__concat = function(x, y) return coroutine.yield("concat") end
M.__eq = function(x, y) return coroutine.yield("eq") end
M.__len = function(x) return coroutine.yield("len") end
M.__unm = function(x) return coroutine.yield("unm") end
M.__newindex = function(t, k, v) coroutine.yield("newindex " .. k); rawset(t, k, v) end
M.__call = function(self, a) return coroutine.yield("call " .. a) end
local obj = setmetatable({}, M)
local obj2 = setmetatable({}, M)
co = coroutine.wrap(function()
  local r = {}
  r[#r + 1] = obj + 1
  r[#r + 1] = tostring(obj < obj2)
  r[#r + 1] = tostring(obj <= obj2)
  r[#r + 1] = "x" .. obj .. "y"
  r[#r + 1] = tostring(obj == obj2)
  r[#r + 1] = #obj
  r[#r + 1] = -obj
  obj.field = "set"
  r[#r + 1] = rawget(obj, "field")
  r[#r + 1] = obj("arg")
  if obj < obj2 then r[#r + 1] = "cond-true" else r[#r + 1] = "cond-false" end
  return table.concat(r, " ")
end)
print(co())
print(co(10))
print(co(true))
print(co(false))
print(co("CAT"))
print(co(1))
print(co(5))
print(co(-5))
print(co())
print(co("called"))
print(co(nil))
-- yield inside a for-in iterator function
local function yielding_iter()
  local i = 0
  return function()
    i = i + 1
    if i > 3 then return nil end
    local mult = coroutine.yield("iter step " .. i)
    return i * mult
  end
end
co = coroutine.wrap(function()
  local acc = {}
  for v in yielding_iter() do acc[#acc + 1] = v end
  return table.concat(acc, ",")
end)
print(co())
print(co(10))
print(co(100))
print(co(1000))
-- yield across nested pcalls
co = coroutine.wrap(function()
  return pcall(pcall, function() return coroutine.yield("nested") + 1 end)
end)
print(co())
print(co(41))
