-- error() with various values and levels; assert.
print(pcall(error, "msg"))
print(pcall(error, "msg", 0))
print(pcall(function() error("level1") end))
print(pcall(function() error("level1 explicit", 1) end))
local function lib(x)
  if type(x) ~= "number" then error("expected number", 2) end
  return x
end
print(pcall(function()
  local v = lib("bad") -- level 2: the error points at this line
  return v
end))
print(pcall(function()
  return lib("bad") -- tail call: the caller's frame is gone, so no position
end))
local function lvl3() error("level 3", 3) end
local function lvl3_caller() lvl3() end
print(pcall(function()
  lvl3_caller() -- level 3 points here
end))
print(pcall(function() error("no position", 0) end))
-- non-string error values are passed through untouched
local t = { code = 1 }
local ok, e = pcall(error, t)
print(ok, e == t, e.code)
ok, e = pcall(function() error(t) end)
print(ok, e == t)
print(pcall(error, 42))
print(pcall(function() error(42) end))
print(pcall(function() error(4.5, 2) end))
print(pcall(function() error(nil) end))
print(pcall(function() error() end))
print(pcall(function() error(true) end))
print(pcall(function() error(false) end))
local fn = function() end
ok, e = pcall(error, fn)
print(ok, e == fn)
-- errors with a __tostring table stay tables
local obj = setmetatable({}, { __tostring = function() return "custom error" end })
ok, e = pcall(error, obj)
print(ok, e == obj, tostring(e))
-- assert
print(pcall(assert, true))
print(pcall(assert, 1, 2, 3))
print(pcall(assert, false))
print(pcall(assert, nil))
print(pcall(assert, false, "custom message"))
print(pcall(assert, nil, 42))
ok, e = pcall(assert, false, t)
print(ok, e == t)
print(pcall(function() assert(false) end))
print(pcall(function() assert(1 == 2, "math is broken") end))
print(pcall(function() assert() end))
print(select("#", assert(1, nil, 3)))
-- error message string with level and position formatting
print(pcall(function() error("multi\nline") end))
print(pcall(function() error("") end))
-- errors in nested functions report the innermost position
local function a() local x = nil; return x.field end
local function b() return a() end
print(pcall(b))
-- rethrowing preserves the message (already has position)
print(pcall(function()
  local ok2, err2 = pcall(error, "inner")
  error(err2, 0)
end))
print(pcall(function()
  local ok2, err2 = pcall(function() error("inner2") end)
  error(err2) -- adds another position prefix
end))
