-- error: levels, non-string values, position information.
local function lvl(n) error("msg", n) end
local function call(n) lvl(n) end
for _, n in ipairs({ 0, 1, 2, 3 }) do
  print(n, pcall(call, n))
end
print(pcall(error))
print(pcall(error, nil))
print(pcall(error, 42))
print(pcall(error, 42, 1))
print(pcall(error, true))
local ok, e = pcall(error, setmetatable({}, { __tostring = function() return "custom" end }))
print(ok, tostring(e))
print(pcall(error, "plain", 0))
print(pcall(error, "lvl1", 1))
print(pcall(function() error("inside", 1) end))
print(pcall(function() error("inside2", 2) end))
print(pcall(function() error() end))
local function deep() error("from deep", 2) end
local function mid() deep() end
print(pcall(mid))
-- a level beyond the stack adds no position
print(pcall(function() error("far", 50) end))
-- error objects pass through nested pcall unchanged
local t = {}
local ok2, e2 = pcall(function()
  local ok3, e3 = pcall(error, t)
  error(e3)
end)
print(ok2, e2 == t)
