-- Return hooks: a function's fires after its `__close` methods ran (one of them may set the
-- hook), and a native that sets a hook gets its own return event; hooks name the natives.
local function func2close(f) return setmetatable({}, {__close = f}) end
local trace = {}
local function hook(event)
  local info = debug.getinfo(2, "nS")
  trace[#trace + 1] = event .. " " .. tostring(info.name) .. " " .. info.what
end

local function foo(...)
  local x <close> = func2close(function() trace[#trace + 1] = "x" end)
  local y <close> = func2close(function() debug.sethook(hook, "r") end)
  return ...
end
print(foo(10, 20, 30))
debug.sethook()
print(table.concat(trace, ", "))

trace = {}
debug.sethook(hook, "cr")
local v = math.abs(-3)
local s = string.rep("a", 2)
local t = {select(2, "a", "b")}
debug.sethook()
print(v, s, t[1])
print(table.concat(trace, ", "))

-- Count and line hooks are unaffected by closes in a loop.
local lines = 0
local function body()
  for i = 1, 3 do
    local c <close> = func2close(function() end)
  end
end
debug.sethook(function() lines = lines + 1 end, "l")
body()
debug.sethook()
print(lines > 0)
