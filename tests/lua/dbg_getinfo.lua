-- debug.getinfo, getlocal, setlocal, upvalues.
local function show(t, keys)
  local out = {}
  for _, k in ipairs(keys) do out[#out + 1] = k .. "=" .. tostring(t[k]) end
  print(table.concat(out, " "))
end
local function f(a, b, ...)
  local x = a + b
  local info = debug.getinfo(1, "Slnu")
  show(info, { "short_src", "source", "what", "currentline", "linedefined", "lastlinedefined", "nups", "nparams", "isvararg", "name", "namewhat" })
  print(debug.getlocal(1, 1))
  print(debug.getlocal(1, 2))
  print(debug.getlocal(1, 3))
  print((debug.getlocal(1, 4)))
  print(debug.getlocal(1, -1))
  print(debug.getlocal(1, -2))
  print(debug.getlocal(1, -3))
  print(debug.setlocal(1, 3, 100), x)
  return x
end
print(f(1, 2, "va1", "va2"))
local t = { m = f }
t.m(3, 4)
show(debug.getinfo(print), { "what", "short_src", "source", "currentline", "linedefined", "nups" })
show(debug.getinfo(f, "S"), { "what", "linedefined", "lastlinedefined" })
show(debug.getinfo(1, "S"), { "what", "linedefined" })
print(debug.getinfo(100))
print(pcall(debug.getinfo, 1, "X"))
print(debug.getlocal(f, 1), debug.getlocal(f, 2), debug.getlocal(f, 3))
-- upvalues
local a, b = 1, 2
local function g() return a + b end
print(debug.getupvalue(g, 1))
print(debug.getupvalue(g, 2))
print(debug.getupvalue(g, 3))
print(debug.setupvalue(g, 1, 10), g(), a)
local function h() return a end
print(debug.upvalueid(g, 1) == debug.upvalueid(h, 1), debug.upvalueid(g, 1) == debug.upvalueid(g, 2))
print(type(debug.upvalueid(g, 1)))
debug.upvaluejoin(h, 1, g, 2)
print(h())
-- activelines
local lines = debug.getinfo(f, "L").activelines
local keys = {}
for k in pairs(lines) do keys[#keys + 1] = k end
table.sort(keys)
print(table.concat(keys, ","))
-- metatables of other types
debug.setmetatable(10, { __index = function(n, k) return k .. n end })
print((5).foo, (2.5).bar)
debug.setmetatable(10, nil)
print(debug.getmetatable(1), getmetatable("x").__index == string)
print(type(debug.getregistry()))
print(debug.traceback("hello"):sub(1, 22))
print(debug.traceback(42):sub(1, 2))
local tt = {}
print(debug.traceback(tt) == tt)
