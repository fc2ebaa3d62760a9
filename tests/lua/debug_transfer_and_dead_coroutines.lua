-- What call and return hooks see (debug.getinfo "r" and the transferred values through
-- debug.getlocal), "tail call" events, tracebacks of coroutines killed by an error, the name
-- of a finalizer, and the debug information of a stripped binary chunk.

local log = {}
local on = false
local function hook(event)
  if not on then return end
  local ar = debug.getinfo(2, "nSr")
  local vals = {}
  for i = ar.ftransfer, ar.ftransfer + ar.ntransfer - 1 do
    local name, v = debug.getlocal(2, i)
    vals[#vals + 1] = tostring(name) .. "=" .. (type(v) == "table" and "{}" or tostring(v))
  end
  log[#log + 1] = string.format("%s %s %s n=%d [%s]", event, tostring(ar.name), ar.what,
    ar.ntransfer, table.concat(vals, " "))
end

local function add(a, b) return a + b end
local function pass(...) return ... end
local function tail(x) return add(x, 100) end
local function none() end
local callable = setmetatable({}, {__call = function(self, v) return v, v end})
local function tail_callable() return callable(7) end

debug.sethook(hook, "cr")
on = true
local s = add(1, 2)
local a, b = pass(10, 20, 30)
local t = tail(5)
none()
local v1, v2 = select(2, "x", "y", "z")
local sq = math.max(3, 9, 4)
tail_callable()
on = false
debug.sethook()
for _, l in ipairs(log) do print(l) end
print(s, a, b, t, v1, v2, sq)

-- A hooked native keeps all its results for the return hook, then the call takes what it asked
-- for.
debug.sethook(function() end, "cr")
local x, y, z = string.byte("abcd", 1, -1)
local one = select("#", table.unpack({1, 2, 3}))
debug.sethook()
print(x, y, z, one)

-- Tracebacks of a coroutine that died of an error keep its frames.
local function f(i)
  if i == 0 then error("bottom")
  else coroutine.yield(); f(i - 1)
  end
end
local co = coroutine.create(function(n) f(n) end)
coroutine.resume(co, 2)
while coroutine.status(co) == "suspended" do
  print((debug.traceback(co):gsub("0x%x+", "ADDR")))
  print(coroutine.resume(co))
end
print((debug.traceback(co):gsub("0x%x+", "ADDR")))
print(debug.getinfo(co, 1, "l").currentline, debug.getinfo(co, 2, "n").name)
print(coroutine.close(co))
print(debug.traceback(co))

local co2 = coroutine.create(function() local t = nil; return t.x end)
print(coroutine.resume(co2))
print(debug.traceback(co2))

-- The finalizer's level is named like the metamethod.
do
  local name, namewhat
  setmetatable({}, {__gc = function()
    local info = debug.getinfo(1, "n")
    name, namewhat = info.name, info.namewhat
  end})
  collectgarbage()
  print(name, namewhat)
end

-- A stripped chunk: temporaries without names, "(no name)" upvalues, no lines.
local prog = [[
local a = 12
local n, v = debug.getlocal(1, 1)
local f = function() return a end
local un, uv = debug.getupvalue(f, 1)
local lines = {}
debug.sethook(function(e, l) lines[#lines + 1] = tostring(l) end, "l")
local loop = 0
for i = 1, 2 do loop = loop + i end
debug.sethook()
return n, v, un, uv, debug.setupvalue(f, 1, 13), a, debug.getinfo(1, "l").currentline,
  debug.getinfo(f, "S").short_src, table.concat(lines, ",")
]]
print(load(string.dump(load(prog), true))())
print(load(prog)())
