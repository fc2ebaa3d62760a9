-- load with reader functions, chunk names and env tables.
local function reader_of(pieces)
  local i = 0
  return function()
    i = i + 1
    return pieces[i]
  end
end
local f = load(reader_of({ "return ", "1 + ", "2", " + 3" }))
print(f())
-- pieces can split tokens anywhere
f = load(reader_of({ "ret", "urn 'sp", "lit str", "ing', 4", "2" }))
print(f())
-- empty string or nil ends the chunk
f = load(reader_of({ "return 'before empty'", "", "error('never')" }))
print(f())
-- reader returning nothing at all gives an empty chunk
f = load(function() return nil end)
print(type(f), select("#", f()))
-- reader producing a syntax error
print(load(reader_of({ "return ", "+" })))
-- reader returning a non-string
print(pcall(load, reader_of({ "return 1", true })))
print(pcall(load, reader_of({ {} })))
-- reader that errors
print(pcall(load, function() error("reader failed", 0) end))
-- chunk names
print(pcall(load("error('e')", "=custom name")))
print(pcall(load("error('e')", "@some/file.lua")))
print(pcall(load("error('e')", "literal")))
print(pcall(load("error('e')")))
print(pcall(load(reader_of({ "error('from reader')" }))))
print(pcall(load(reader_of({ "error('named reader')" }), "=reader")))
-- env argument: the chunk's _ENV upvalue
local env = { x = 10, y = 20 }
f = load("return x + y", "env", "t", env)
print(f())
f = load("z = x * 2", "env", "t", env)
f()
print(env.z, z)
-- env without access to globals
f = load("return print", "noenv", "t", {})
print(f())
f = load("return tostring(1)", "noenv", "t", {})
print(pcall(f))
-- functions defined inside a chunk with env see that env
f = load("function getx() return x end; return getx", "=fn", "t", { x = "env x" })
local getx = f()
print(getx(), getx == nil)
-- the env table can be changed afterwards and the function sees it
local env2 = { v = 1 }
local get = load("return function() return v end", "=dyn", "t", env2)()
print(get())
env2.v = 2
print(get())
-- nil env: globals cannot be accessed at all
f = load("return 1 + 1", "=nilenv", "t", nil)
print(f())
f = load("return undefined_var", "=nilenv", "t", nil)
print(pcall(f))
-- _ENV inside the chunk refers to the env table
env = { marker = "m" }
f = load("return _ENV", "=e", "t", env)
print(f() == env)
f = load("local _ENV = {val = 'shadow'} return val")
print(f())
-- env with a metatable (sandbox with fallback)
local sandbox = setmetatable({}, { __index = _G })
f = load("sandboxed = true; return type(print), sandboxed", "=sb", "t", sandbox)
print(f())
print(sandbox.sandboxed, rawget(_G, "sandboxed"))
-- varargs in chunks loaded from readers
f = load(reader_of({ "local a, b = ...; return b, a" }))
print(f("first", "second"))
-- load with an explicit mode
print(load("return 1", "m", "b"))
print(load("return 2", "m", "bt")())
