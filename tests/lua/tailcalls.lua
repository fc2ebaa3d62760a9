-- Proper tail calls: unbounded depth without stack growth.
local function loop(n, acc)
  if n == 0 then return acc end
  return loop(n - 1, acc + 1)
end
print(loop(1000000, 0))
-- mutual tail recursion
local is_even, is_odd
function is_even(n) if n == 0 then return true end return is_odd(n - 1) end
function is_odd(n) if n == 0 then return false end return is_even(n - 1) end
print(is_even(1000001), is_odd(1000001), is_even(300000))
-- tail call through a method
local obj = { n = 0 }
function obj:count(k)
  if k == 0 then return self.n end
  self.n = self.n + 1
  return self:count(k - 1)
end
print(obj:count(500000))
-- tail call with varargs
local function va(n, ...)
  if n == 0 then return select("#", ...), ... end
  return va(n - 1, ...)
end
print(va(1000000, "a", "b", "c"))
-- tail call into a different function each time (trampolining state machine)
local states = {}
states.a = function(n) if n <= 0 then return "done in a" end return states.b(n - 1) end
states.b = function(n) if n <= 0 then return "done in b" end return states.c(n - 1) end
states.c = function(n) if n <= 0 then return "done in c" end return states.a(n - 1) end
print(states.a(1000000), states.a(1000001), states.a(1000002))
-- tail call of a callable table (via __call)
local callable = setmetatable({}, {
  __call = function(self, n, acc)
    if n == 0 then return acc end
    return self(n - 1, acc + 2)
  end,
})
print(callable(200000, 0))
-- a tail call returns all results of the callee
local function multi() return 1, 2, 3 end
local function tail() return multi() end
print(tail())
-- not a tail call: return (f()) truncates
local function nottail() return (multi()) end
print(nottail())
-- tail call to a C function
local function tc(s) return string.upper(s) end
print(tc("tail to C"))
local function tsel(...) return select("#", ...) end
print(tsel(1, 2, 3))
-- tail call with more arguments than parameters and fewer
local function pad(a, b, c) return a, b, c end
local function more() return pad(1, 2, 3, 4, 5) end
local function fewer() return pad(1) end
print(more())
print(fewer())
-- deep tail recursion in a coroutine
local co = coroutine.wrap(function() return loop(300000, 5) end)
print(co())
