-- A native called by xpcall or pcall (`xpcall(require, h, name)`): an error raised in a Lua
-- function it calls goes through the handler there, so the traceback shows that function, the
-- native and the protected call; a pcall closer to the error keeps the handler out.
local function clean(tb)
  return (tb:gsub("\n%s*%[C%]: in %?$", ""))
end

package.preload.failing_mod = function() local m = string.rep() end
print(clean(select(2, xpcall(require, debug.traceback, "failing_mod"))))

print(clean(select(2, xpcall(string.gsub, debug.traceback, "x", "x", function()
  error("in gsub callback")
end))))

print(clean(select(2, xpcall(table.sort, debug.traceback, {3, 1, 2}, function(a, b)
  return a.x < b
end))))

local calls = 0
local function counting(m) calls = calls + 1; return "handled: " .. tostring(m) end
print(xpcall(pcall, counting, error, "caught by pcall"))
print(xpcall(pcall, counting, string.gsub, "a", "a", function() error("inner", 0) end))
print(calls)
print(xpcall(string.gsub, counting, "a", "a", function() error("once", 0) end))
print(calls)

-- The levels while a native called by pcall runs a Lua function.
pcall(string.gsub, "a", "a", function()
  local names = {}
  for level = 1, 4 do
    local info = debug.getinfo(level, "nS")
    names[#names + 1] = info and (tostring(info.name) .. ":" .. info.what) or "-"
  end
  print(table.concat(names, " "))
end)

-- require's own traceback for an error in the module's body, caught by pcall.
print(pcall(require, "failing_mod"))
