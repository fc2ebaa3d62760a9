-- pcall and xpcall behaviour.
print(pcall(function(...) return ... end, 1, 2, 3))
print(pcall(function() end))
print(select("#", pcall(function() end)))
print(pcall(print, "printed inside pcall"))
-- pcall with non-function
print(pcall(42))
print(pcall(nil))
print(pcall({}))
print(pcall(setmetatable({}, { __call = function(_, x) return "called with " .. x end }), "arg"))
print(pcall(function() return pcall() end))
-- nested pcall
print(pcall(function()
  local ok, e = pcall(error, "inner")
  return "outer ok", ok, e
end))
print(pcall(function()
  local ok, e = pcall(error, "inner")
  error("outer: " .. e, 0)
end))
local depth = 0
local function nest(n)
  if n == 0 then error("bottom", 0) end
  local ok, e = pcall(nest, n - 1)
  depth = depth + 1
  error(e .. "<" .. n, 0)
end
local nok, nmsg = pcall(nest, 10)
print(nok, nmsg, depth)
-- xpcall with a handler
print(xpcall(function() return "no error", 2 end, print))
print(xpcall(function() error("oops") end, function(m) return "handled: " .. m end))
print(xpcall(function() error({ code = 7 }) end, function(m) return "code " .. m.code end))
print(xpcall(function() error() end, function(m) return "handler got " .. tostring(m) end))
print(xpcall(function() local x = nil; return x.y end, function(m) return "H:" .. m end))
-- xpcall passes extra arguments
print(xpcall(function(a, b) return a + b end, print, 3, 4))
print(xpcall(function(a, b) error(a .. b, 0) end, function(m) return m:upper() end, "x", "y"))
-- handler return values: only the first is used
print(xpcall(error, function() return 1, 2, 3 end, "e"))
-- the handler runs before the stack unwinds: it can see the erroring function's level
print(xpcall(function() error("deep") end, function(m) return type(m) end))
-- error inside the handler
local ok, e = xpcall(function() error("first") end, function(m) error("in handler") end)
print(ok, type(e))
-- xpcall without a handler argument
print(pcall(function() return xpcall(function() end) end))
-- pcall returns true plus all results
local function many() return 1, nil, 3, nil end
print(select("#", pcall(many)))
-- error objects pass through pcall unchanged
local errt = {}
local ok2, e2 = pcall(function() error(errt) end)
print(ok2, e2 == errt)
-- pcall in a loop, many errors
local count = 0
for i = 1, 1000 do
  local okk = pcall(function() if i % 3 == 0 then error("x") end end)
  if not okk then count = count + 1 end
end
print("errors caught", count)
-- error in __index metamethod
local bad = setmetatable({}, { __index = function(t, k) error("no field " .. k) end })
print(pcall(function() return bad.foo end))
local bad2 = setmetatable({}, { __index = function(t, k) error("no field " .. k, 2) end })
print(pcall(function() return bad2.bar end))
-- error in __newindex and __call
local bad3 = setmetatable({}, { __newindex = function() error("read only", 2) end })
print(pcall(function()
  bad3.x = 1
end))
local bad4 = setmetatable({}, { __call = function() error("call failed") end })
print(pcall(bad4))
-- error in __tostring when printing
local bad5 = setmetatable({}, { __tostring = function() error("cannot print", 0) end })
print(pcall(print, bad5))
