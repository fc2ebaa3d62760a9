-- Details of hooks and locals as PUC Lua has them: a hook is named "hook" and sees the line about
-- to run, a line hook set inside a call hook fires on the called function's first line,
-- unnamed registers are "(temporary)" and a native's values "(C temporary)", hooks are kept in
-- the registry's weak _HOOKKEY table, and line events follow where PUC Lua puts instructions
-- (a binary operator's left operand is loaded on the operator's line; a store on the line where
-- its expression ends).
local count = 0
local function hook()
  local info = debug.getinfo(1, "n")
  if count == 0 then
    print(info.name, info.namewhat, debug.getinfo(2, "l").currentline)
    print((debug.traceback("tb"):gsub("\n%s*%[C%]: in %?$", ""):gsub("\t[^\n]-([%w_]+%.lua)", "\t%1")))
  end
  count = count + 1
end
debug.sethook(hook, "l")
local a = 0
a = 1
debug.sethook()
print(count)

local collected
local obj = {}
function obj:f(x, y, ...) local z = 13 end
debug.sethook(function(e)
  debug.sethook(function(e2, l)
    debug.sethook()
    collected = {}
    for i = 1, 10 do
      local n, v = debug.getlocal(2, i)
      if not n or n:sub(1, 1) == "(" then break end
      collected[#collected + 1] = n .. "=" .. tostring(v == obj and "obj" or v)
    end
    collected[#collected + 1] = e2 .. "@" .. (l - debug.getinfo(obj.f, "S").linedefined)
  end, "l")
end, "c")
obj:f(1, 2, 3)
print(table.concat(collected, " "))

print(debug.getlocal(0, 1))
print(debug.getlocal(0, 2))
print(debug.getlocal(0, 3))
local function f()
  print(select(2, debug.getlocal(2, 3)), debug.getlocal(2, 4))
  debug.setlocal(2, 3, 10)
  return 20
end
local function g(p, q) return (p + 1) + f() end
print(g(0, 0))

print(getmetatable(debug.getregistry()._HOOKKEY).__mode)
local h = function() end
debug.sethook(h, "c")
print(debug.getregistry()._HOOKKEY[coroutine.running()] == h)
debug.sethook()
print(debug.getregistry()._HOOKKEY[coroutine.running()])

local src = "local b = {10}\na = b[1]\n\n + \n b[1]\nb = 4\nlocal t = {}\nt.x =\n  b\n"
local lines = {}
local chunk = load(src)
debug.sethook(function(_, l) lines[#lines + 1] = l end, "l")
chunk()
debug.sethook()
print(table.concat(lines, " "))
a = nil
