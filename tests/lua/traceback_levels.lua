-- Native functions are levels of the call stack, as in PUC Lua: tracebacks show them ([C])
-- and name functions (global, local, method, field, upvalue, metamethod); getinfo counts them.
local function lf() print(debug.traceback("msg")) end
function globalfn() lf() end
local t = {}
function t.meth(self) globalfn() end
function t:m2() self:meth() end
print(pcall(function() t:m2() end))
print(xpcall(function() error("E") end, debug.traceback))
print(xpcall(function() local x = nil + 1 end, debug.traceback))
print(xpcall(function() string.rep() end, debug.traceback))
print(pcall(debug.traceback))
local mt = setmetatable({}, {__index = function(t, k) return debug.traceback("idx") end})
print(mt.x)
table.sort({3, 2, 1}, function(a, b) if a == 1 then print(debug.traceback("sort")) end return a < b end)
local co = coroutine.create(function() coroutine.yield() end)
coroutine.resume(co)
print(debug.traceback(co))
print(debug.traceback(co, "m", 1))
local function rec(n) if n == 0 then print(debug.traceback("deep")) else rec(n - 1) end end
rec(30)
for k in (function() print(debug.traceback("iter")) return nil end) do end
local function show(l)
  local i = debug.getinfo(l + 1, "nSl")
  if not i then return print(l, "nil") end
  print(l, i.what, i.short_src, i.currentline, i.name, i.namewhat)
end
local function f() for l = 0, 5 do show(l) end end
pcall(f)
print("--")
local t = setmetatable({}, {__index = function() for l = 0, 3 do show(l) end end})
local _ = t.x
print("--")
local function cl() local x <close> = setmetatable({}, {__close = function() for l = 0, 3 do show(l) end end}) end
cl()
print("--")
local co = coroutine.create(function() pcall(error, {}) end)
coroutine.resume(co)
local function foo ()
  local x <close> = setmetatable({}, {__close = function() show(1) show(2) end})
  error(43)
end
print(pcall(foo))
print(pcall(debug.getlocal, 50, 1))
