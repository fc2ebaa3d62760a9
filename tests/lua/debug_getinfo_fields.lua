-- debug.getinfo: fields by option letter, for Lua functions, natives and main chunk.
local function keys(t)
  local ks = {}
  for k in pairs(t) do ks[#ks + 1] = k end
  table.sort(ks)
  return table.concat(ks, ",")
end
local function target(a, b, ...)
  return a
end
print(keys(debug.getinfo(target, "S")))
print(keys(debug.getinfo(target, "u")))
print(keys(debug.getinfo(target, "f")))
print(keys(debug.getinfo(target, "L")))
print(keys(debug.getinfo(target, "l")))
print(keys(debug.getinfo(target, "t")))
print(keys(debug.getinfo(target, "")))
local i = debug.getinfo(target)
print(i.what, i.source, i.short_src, i.linedefined, i.lastlinedefined, i.nparams, i.isvararg, i.nups, i.func == target, i.istailcall)
local n = debug.getinfo(string.rep)
print(n.what, n.source, n.short_src, n.linedefined, n.lastlinedefined, n.nparams, n.isvararg, n.nups, n.currentline)
local m = debug.getinfo(1, "Sl")
print(m.what, m.short_src, m.currentline, m.linedefined)
local function named() return debug.getinfo(1, "n") end
local r = named()
print(r.name, r.namewhat)
local obj = { meth = function(self) return debug.getinfo(1, "n") end }
r = obj:meth()
print(r.name, r.namewhat)
r = obj.meth(obj)
print(r.name, r.namewhat)
Gfun = function() return debug.getinfo(1, "n") end
r = Gfun()
print(r.name, r.namewhat)
local function tail() return debug.getinfo(1, "t") end
local function caller() return tail() end
print(tail().istailcall)
local src = load("return debug.getinfo(1, 'S')", "=custom")()
print(src.source, src.short_src, src.what)
src = load("return debug.getinfo(1, 'S')", "@path/to/file.lua")()
print(src.source, src.short_src)
src = load("return debug.getinfo(1, 'S')", "a string chunk")()
print(src.source, src.short_src)
src = load("\n\nreturn debug.getinfo(1, 'S')", string.rep("x", 100))()
print(src.short_src)
local long = load("return debug.getinfo(1, 'S')", "=" .. string.rep("y", 100))()
print(#long.short_src)
print(pcall(debug.getinfo, target, "S!"))
print(debug.getinfo(1000), debug.getinfo(1000, "S"))
local lines = debug.getinfo(target, "L").activelines
local ls = {}
for k, v in pairs(lines) do ls[#ls + 1] = k .. "=" .. tostring(v) end
table.sort(ls)
print(table.concat(ls, " "))
