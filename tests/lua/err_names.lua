-- Runtime error messages with variable descriptions.
local function try(f, ...)
  local ok, msg = pcall(f, ...)
  print(ok, msg)
end
-- arithmetic on nil from different kinds of variables
try(function() return undefined_global + 1 end)
try(function() local x; return x + 1 end)
try(function() local t = {}; return t.y * 2 end)
local up
try(function() return up - 1 end)
try(function() local t = { inner = {} }; return t.inner.deep / 2 end)
try(function() local t = {}; return t[1] + 1 end)
try(function() local t = {}; local k = "key"; return t[k] + 1 end)
try(function() return 1 + nil end)
try(function() local a = 1; local b; return a % b end)
try(function() return -undefined_global end)
try(function() local s = "abc"; return s + 1 end)
try(function() return "abc" + 1 end)
try(function() return {} + 1 end)
try(function() local t = {}; return t + 1 end)
try(function() return print + 1 end)
try(function() local b = true; return b * 2 end)
-- calls
try(function() undefined_function() end)
try(function() local f; f() end)
try(function() local t = {}; t.method() end)
try(function() local t = {}; t:method() end)
try(function() local t = {}; t.a.b() end)
try(function() up() end)
try(function() local t = {}; t() end)
try(function() ("x")() end)
try(function() local n = 1; n() end)
try(function() local t = { 1 }; t[1]() end)
try(function() string.nosuch() end)
try(function() local t = { f = 5 }; t.f() end)
-- indexing
try(function() local n = 5; return n.x end)
try(function() return undefined_global.x end)
try(function() local t = {}; return t.a.b end)
try(function() return up.x end)
try(function() local b = false; b.x = 1 end)
try(function() local t = {}; t.a.b = 1 end)
try(function() local f = print; return f.x end)
try(function() local t = {}; return t[1][2] end)
try(function() local s = "str"; s.x = 1 end)
-- concatenation
try(function() local t = {}; return "x" .. t end)
try(function() local t = {}; return t .. "x" end)
try(function() return "x" .. undefined_global end)
try(function() local t = {}; return "a" .. t.field end)
try(function() return "a" .. up end)
try(function() return "a" .. {} .. "b" end)
-- comparison
try(function() return 1 < nil end)
try(function() return {} < {} end)
try(function() return {} <= {} end)
try(function() return "a" < 1 end)
try(function() return print < print end)
try(function() local x = {}; return x > 1 end)
-- length
try(function() return #true end)
try(function() local n = 5; return #n end)
try(function() return #undefined_global end)
try(function() local t = {}; return #t.x end)
-- upvalue names in nested closures
local outer_nil
local function nested()
  return function() return outer_nil.field end
end
try(nested())
-- global function names in stack-level error messages
function global_fn_with_error() local z; return z.x end
try(global_fn_with_error)
