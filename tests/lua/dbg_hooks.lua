-- debug.sethook with line and count hooks.
local lines = {}
local function f(n)
  local s = 0
  for i = 1, n do
    s = s + i
  end
  return s
end
debug.sethook(function(ev, line) lines[#lines + 1] = ev .. ":" .. tostring(line) end, "l")
f(3)
local x = f(1) +
  f(0)
debug.sethook()
print(table.concat(lines, " "))
print(debug.gethook())
-- count hook: fires about every N instructions
local calls = 0
debug.sethook(function(ev) calls = calls + 1 end, "", 100)
for i = 1, 10000 do local y = i * 2 end
debug.sethook()
print("count hook fired", calls > 50 and calls < 1000)
-- the hook sees the hooked function through getinfo(2)
local seen = {}
local function target()
  local a = 1
  return a
end
debug.sethook(function(ev, line)
  local info = debug.getinfo(2, "S")
  if info.linedefined == 25 then seen[#seen + 1] = line end
end, "l")
target()
debug.sethook()
print(table.concat(seen, ","))
print("after")
