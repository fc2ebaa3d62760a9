-- _ENV: globals are fields of the _ENV upvalue.
x_global = "global x"
print(_ENV.x_global, _G.x_global)
_ENV.y_global = "set via _ENV"
print(y_global)
-- local _ENV changes what globals mean
local function with_env()
  local _ENV = { print = print, tostring = tostring }
  a = 1
  b = a + 1
  print(a, b, x_global)
  return _ENV
end
local e = with_env()
print(e.a, e.b, a, b)
-- function parameter named _ENV
local function run(_ENV) return value * 2 end
print(run({ value = 21 }))
-- closures capture the _ENV that was in scope
local function make_getter()
  local _ENV = { secret = "inner secret" }
  return function() return secret end
end
secret = "outer secret"
print(make_getter()(), secret)
-- _ENV can be set to a table with a metatable (default values)
do
  local _ENV = setmetatable({}, { __index = _G })
  newvar = "only in sandbox"
  print(newvar, _G.newvar)
end
print(newvar)
-- assigning to _ENV inside a function affects later global accesses in that scope
local function switch()
  local saved = _ENV
  local _ENV = { print = saved.print }
  z = "switched"
  print(z, saved.z)
end
switch()
-- indexing a nil _ENV
print(pcall(function() local _ENV = nil; return undefined end))
print(pcall(function() local _ENV = 5; return x end))
-- upvalue _ENV in load with env argument
local env = { n = 1 }
local f = load("n = n + 1; return function() n = n * 10; return n end", "=chunk", "t", env)
local g = f()
print(env.n, g(), env.n)
-- _G is just a regular global field
local realG = _G
_G = { fake = true }
print(_G.fake, realG.print == print)
_G = realG
print(_G == _ENV)
