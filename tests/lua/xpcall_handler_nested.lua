-- An xpcall message handler runs where the error was raised, before nested calls (a `__close`,
-- a `gsub` callback, a `sort` comparator, a metamethod called by a native) unwind: the
-- traceback still shows them.
local function func2close(f) return setmetatable({}, {__close = f}) end

local function show(ok, msg)
  print(ok, (msg:gsub("\n%s*%[C%]: in %?$", "")))
end

local function vararg_close(...)
  local x <close> = func2close(function() error("@x123") end)
end
show(xpcall(vararg_close, debug.traceback))

show(xpcall(function()
  return (string.gsub("abc", "%w", function(c)
    if c == "b" then error("in callback") end
  end))
end, debug.traceback))

show(xpcall(function()
  table.sort({3, 2, 1}, function(a, b) error({code = 1}) end)
end, function(e) return debug.traceback(type(e) == "table" and "table error" or e) end))

local mt = {__index = function(t, k) error("no field " .. k) end}
show(xpcall(function()
  return rawlen(setmetatable({}, mt)), tostring(setmetatable({}, {__tostring = function()
    error("tostring failed")
  end}))
end, debug.traceback))

-- The handler runs once, even when the error crosses several nested calls.
local count = 0
local ok, msg = xpcall(function()
  string.gsub("a", "a", function()
    string.gsub("b", "b", function() error("deep", 0) end)
  end)
end, function(m) count = count + 1; return m .. "!" end)
print(ok, msg, count)

-- A pcall between the error and the xpcall catches it first: the handler never runs.
count = 0
print(xpcall(function()
  local r = {pcall(string.gsub, "a", "a", function() error("caught", 0) end)}
  return r[1], r[2]
end, function(m) count = count + 1; return m end))
print(count)
