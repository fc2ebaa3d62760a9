-- Yields that PUC Lua allows through C functions with continuations: pcall/xpcall of a native
-- that yields, chains of pcall under xpcall, __pairs, dofile (also as a coroutine body).
local co = coroutine.wrap(function()
  print("pcall(yield)", pcall(coroutine.yield, 1, 2))
  print("xpcall(pcall, h, yield)", xpcall(pcall, print, coroutine.yield, "xp"))
  print("pcall(pcall, yield)", pcall(pcall, coroutine.yield, "pp"))
  local a, b = pcall(coroutine.yield)
  print("fixed results", a, b)
  return "end"
end)
print(co())
print(co("a", "b"))
print(co("c"))
print(co("d", "e"))
print(co("f", "g"))

print("outside", pcall(coroutine.yield, 1))

-- __pairs may yield; pairs passes exactly three of its results
local t = setmetatable({10, 20, 30}, {__pairs = function(t)
  local inc = coroutine.yield("in pairs")
  return function(_, i)
    if i > 1 then return i - inc, t[i - inc] end
  end, t, #t + 1, "dropped"
end})
local res = {}
local co2 = coroutine.wrap(function()
  for i, v in pairs(t) do res[#res + 1] = i .. "=" .. v end
  return "done"
end)
print(co2())
print(co2(1), table.concat(res, " "))
print(select("#", pairs(setmetatable({}, {__pairs = function() return 1 end}))))
print(pairs(setmetatable({}, {__pairs = function() return 1, 2, 3, 4, 5 end})))
print(pcall(pairs, setmetatable({}, {__pairs = function() return 1, 2, 3, 4 end})))

-- dofile's chunk may yield, also when dofile is the coroutine's body
local name = os.tmpname()
local f = assert(io.open(name, "w"))
f:write("local x, z = coroutine.yield(10)\nlocal y = coroutine.yield(20)\nreturn x + y * z\n")
f:close()
local d = coroutine.wrap(dofile)
print(d(name), d(100, 101), d(200))
local d2 = coroutine.wrap(function() return pcall(dofile, name) end)
print(d2(), d2(1, 2), d2(3))
print(pcall(dofile, name))
os.remove(name)
