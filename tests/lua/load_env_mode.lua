-- load: chunk names, modes, environments, reader functions and their errors.
local function show(...) print(select("#", ...), ...) end
show(load("return 1 +", "=mychunk"))
show(load("return 1 +", "@file.lua"))
show(load("return 1 +", "plain name"))
show(load("return 1 +"))
show(load("x = ", "=(load)"))
show(load(string.rep("x", 80) .. " = = 1"))
show(load("return 1\nreturn 2"))
print(load("return 7", "c", "t")())
show(load("return 7", "c", "b"))
print(load("return 8", "c", "bt")())
print(pcall(load, "return 1", "c", "x"))
-- environments
local env = { y = 5 }
local f = load("y = y + 1; return y", "env", "t", env)
print(f(), f(), env.y, y)
local g = load("return ...", "va")
print(g(1, 2, 3))
local h = load("local a <const> = 10; return a * 2")
print(h())
show(load("return _ENV", "e", "t", nil)())
-- reader functions
local parts = { "return ", "'pie", "ces'", "" , "ignored" }
local i = 0
print(load(function() i = i + 1; return parts[i] end)())
i = 0
local parts2 = { "return 1", nil }
print(load(function() i = i + 1; return parts2[i] end)())
print(type(load(function() return nil end)), load(function() return nil end)())
print(select("#", load(function() return true end)), (select(2, load(function() return true end)):match("reader function must return a string")))
print((select(2, load(function() return {} end)):match("reader function must return a string")))
print((select(2, load(function() error("reader failed") end)):match("reader failed")))
print(pcall(load, {}))
print(pcall(load, nil))
print(pcall(load, "x", {}))
-- runtime errors carry the chunk name
print(pcall(load("local t = nil; return t.x", "=named")))
print(pcall(load("local t = nil; return t.x", "@some/file.lua")))
print(pcall(load("error('e')", "code string")))
