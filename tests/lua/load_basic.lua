-- load with text chunks.
local f = load("return 1 + 2")
print(type(f), f())
print(load("return 'a', 'b', 'c'")())
print(load("local a, b = ... return b, a")(1, 2))
print(load("return ...")(1, 2, 3))
print(select("#", load("return ...")()))
print(load("return select('#', ...)")(nil, nil))
-- a chunk without return returns nothing
print(select("#", load("local x = 1")()))
-- globals from loaded chunks go to _ENV (the global table by default)
load("loaded_global = 'set by chunk'")()
print(loaded_global)
-- chunk with its own locals and functions
local g = load([[
  local function sq(x) return x * x end
  local t = {}
  for i = 1, 5 do t[i] = sq(i) end
  return table.concat(t, " ")
]])
print(g())
-- each call of the loaded function runs the chunk again
local counter_chunk = load("counter_value = (counter_value or 0) + 1 return counter_value")
print(counter_chunk(), counter_chunk(), counter_chunk())
-- load with mode "t"
print(load("return 'text mode'", "chunk", "t")())
-- empty chunk and whitespace-only
print(select("#", load("")()), select("#", load("  \n  -- comment\n")()))
-- a shebang line is only skipped by the standalone interpreter, not by load
print(load("#!/usr/bin/lua\nreturn 1"))
-- loaded chunk is a vararg function
local v = load("local a, b, c = ... return c, b, a")
print(v("x", "y", "z"))
-- loading code that defines a function and returning it
local mk = load("return function(x) return x * 3 end")()
print(mk(14))
-- nested load
print(load("return load('return 40 + 2')()")())
-- the result of load can be called many times and is independent
local adders = {}
for i = 1, 3 do adders[i] = load("return " .. i .. " + ...") end
print(adders[1](10), adders[2](10), adders[3](10))
-- runtime errors inside loaded chunks carry the chunk name
print(pcall(load("local x = nil; return x.y", "=mychunk")))
print(pcall(load("error('raised')", "@file.lua")))
print(pcall(load("error('raised in string chunk')")))
print(pcall(load("\n\nerror('line three')")))
print(pcall(load("local t = {} \n return t.a.b", "multi")))
-- a long source chunk name is truncated in messages
local longsrc = "error('long') --" .. string.rep("x", 100)
print(pcall(load(longsrc)))
local ml = "x = 1\nerror('multiline source')"
print(pcall(load(ml)))
