-- string.dump and loading binary chunks. The format is each implementation's own, so only
-- behaviour is printed (never the bytes or their length).

local function show(...)
  local t = table.pack(...)
  for i = 1, t.n do t[i] = tostring(t[i]) end
  print(table.concat(t, " ", 1, t.n))
end

-- The dump is a binary string that load turns back into the function.
local add = function(a, b) return a + b, a * b, a - b end
local s = string.dump(add)
show(type(s), s:sub(1, 4) == "\27Lua", #s > 4)
show(load(s)(3, 4))
show(load(s, "chunk", "b")(10, 0.5))
show(load(s, "chunk", "bt")(-1, -1))

-- Varargs and parameters.
local va = load(string.dump(function(a, ...)
  local n = select("#", ...)
  return a, n, ...
end))
show(va(1, nil, 3, nil))
show(va())
local sum = load(string.dump(function(...)
  local t = 0
  for _, v in ipairs({...}) do t = t + v end
  return t
end))
show(sum(1, 2, 3, 4, 5))

-- Nested closures survive: the inner functions are dumped with the outer one.
local make = load(string.dump(function(start)
  local n = start
  local function inc(d) n = n + (d or 1); return n end
  local function get() return n end
  return inc, get
end))
local inc, get = make(10)
inc(); inc(5)
show(get(), inc())

-- Upvalues are fresh after load, except the first, which is the environment.
local up = 42
local function uses_up() return up end
show(load(string.dump(uses_up))() == _G)
local function uses_global() return tostring(123) end
show(load(string.dump(uses_global))())
local counter = 0
local function count() counter = counter + 1; return counter end
show(pcall(load(string.dump(count))))
local function two() return up, print end
show(pcall(load(string.dump(two))))
local f2 = load(string.dump(two))
debug.setupvalue(f2, 1, "one")
debug.setupvalue(f2, 2, "second")
show(f2())
show(debug.getupvalue(f2, 1), debug.getupvalue(f2, 2))

-- An explicit environment.
local env = {x = 5}
show(load(string.dump(function() return x end), "e", "b", env)())
show(load(string.dump(function() y = 7 end), "e", "b", env)(), env.y, rawget(_G, "y"))

-- A main chunk loaded from text dumps too.
local chunk = load("local a = ... ; return a * 2, _ENV == _G")
show(load(string.dump(chunk))(21))

-- A reader function may hand the binary chunk over in pieces.
local pieces, i = {}, 0
for p = 1, #s, 3 do pieces[#pieces + 1] = s:sub(p, p + 2) end
show(load(function() i = i + 1; return pieces[i] end)(6, 7))

-- Constants of every kind.
local consts = load(string.dump(function()
  return 0, -1, 9007199254740993, math.maxinteger, math.mininteger, 0.1, -0.0, 1e300,
    1/0, -1/0, 0/0, "a\0b", "", true, false, nil
end))
local c = table.pack(consts())
show(c.n)
for k = 1, c.n do
  local v = c[k]
  if type(v) == "number" then
    -- (NaN's sign is the platform's: not printed.)
    show(k, math.type(v), v ~= v and "nan" or v, v == 0 and 1/v or "")
  elseif type(v) == "string" then
    show(k, "string", #v, (v:gsub("%z", "\\0")))
  else
    show(k, v)
  end
end
local long = string.rep("0123456789", 300) .. "\0" .. string.rep("z", 70000)
local big = load("return function() return '" .. long:gsub("%z", "\\0") .. "' end")()
local bs = load(string.dump(big))()
show(#bs, bs == long)

-- Many constants and a long table constructor (extra-argument instructions).
local parts = {}
for k = 1, 300 do parts[#parts + 1] = "'k" .. k .. "'" end
local many = load("return function() return {" .. table.concat(parts, ", ") .. "} end")()
local t = load(string.dump(many))()
show(#t, t[1], t[256], t[300])
local wide = {}
for k = 1, 600 do wide[#wide + 1] = tostring(k) end
local setlist = load("return function() return {" .. table.concat(wide, ",") .. "} end")()
local w = load(string.dump(setlist))()
show(#w, w[1], w[513], w[600])

-- Loops, to-be-closed variables, goto, coroutines.
local loops = load(string.dump(function(n)
  local acc = {}
  for k = 1, n do acc[#acc + 1] = k end
  for k = n, 1, -2 do acc[#acc + 1] = k end
  for k = 0.5, 2, 0.5 do acc[#acc + 1] = k end
  for k, v in pairs({a = 1}) do acc[#acc + 1] = k .. v end
  local j = 0
  ::again::
  j = j + 1
  if j < 3 then goto again end
  acc[#acc + 1] = j
  while j < 6 do j = j + 1 end
  repeat j = j - 1 until j == 4
  acc[#acc + 1] = j
  return table.concat(acc, ",")
end))
show(loops(4))
local closed = {}
local tbc = load(string.dump(function(log)
  do
    local x <close> = setmetatable({}, {__close = function() log[#log + 1] = "closed" end})
    log[#log + 1] = "body"
  end
  return #log
end))
show(tbc(closed), table.concat(closed, " "))
local gen = load(string.dump(function(a)
  local b = coroutine.yield(a + 1)
  local c2 = coroutine.yield(b * 2)
  return a + b + c2
end))
local co = coroutine.wrap(gen)
show(co(1), co(10), co(100))

-- Methods, varargs in calls and returns, multiple assignment.
local obj = load(string.dump(function(...)
  local o = {v = 3}
  function o:get(k) return self.v * k end
  local x, y, z = o:get(2), select(2, ...)
  return x, y, z, ...
end))
show(obj("a", "b", "c"))

-- Stripped chunks keep their code but not their debug information.
local function fails(v) local t = nil; return t.field + v end
local function raises() error("boom") end
local function raises2() error("boom", 2) end
show(pcall(load(string.dump(fails))))
show(pcall(load(string.dump(fails, true))))
show(pcall(load(string.dump(raises, true))))
show(pcall(load(string.dump(raises2, true))))
show(pcall(load(string.dump(function() return nope.x end, true))))
show(pcall(load(string.dump(function() return ("x"):bad() end, true))))
show(pcall(load(string.dump(function() return string.rep() end, true))))
show(pcall(load(string.dump(function() local a = {} ; return a < a end, true))))
show(load(string.dump(add, true))(6, 7))
local info = debug.getinfo(load(string.dump(fails, true)), "S")
show(info.source, info.short_src, info.what, info.linedefined > 0)
info = debug.getinfo(load(string.dump(fails), "=other"), "S")
show(info.source == debug.getinfo(fails, "S").source, info.short_src)
show(debug.getlocal(load(string.dump(add, true)), 1), debug.getlocal(load(string.dump(add)), 1))
show(debug.getupvalue(load(string.dump(uses_up)), 1) == "up")

-- Modes.
show(load(s, "x", "t"))
show(load("return 1", "x", "b"))
show(load(s, "x", "tb") ~= nil)
show(load("return 1", "x", "bt")())

-- Bad chunks.
local function try(chunk, name)
  local f, msg = load(chunk, name)
  show(f, msg)
end
try("\27")
try("\27Lua")
try("\27Lux", "=named")
try("\27Lua\83", "@file.lua")
try(s:sub(1, 4) .. "\83" .. s:sub(6))
try(s:sub(1, 5) .. "\1" .. s:sub(7))
try(s:sub(1, 6) .. "\25\147\r\n\26\r" .. s:sub(13), "plain name")
try(s:sub(1, 10))
-- Each byte of the header (signature, version, format, data, sizes, integer and float checks)
-- changed in turn; the version byte is each implementation's own.
for k = 2, 31 do
  local b = s:byte(k)
  local f, msg = load(s:sub(1, k - 1) .. string.char((b + 1) % 256) .. s:sub(k + 1))
  show(k, f, msg)
end
local all_truncated = true
for n = 1, #s - 1 do
  local f, msg = load(s:sub(1, n))
  if f or msg ~= "binary string: bad binary format (truncated chunk)" then
    all_truncated = false
  end
end
show(all_truncated)
show(load(s .. "trailing bytes are ignored") ~= nil)

-- Only Lua functions dump.
show(pcall(string.dump, print))
show(pcall(string.dump, 1))
show(pcall(string.dump))
show(pcall(function() return string.dump({}) end))
show(pcall(function() return string.dump(coroutine.wrap(print)) end))
