-- Upvalues: counters, sharing, nesting, recursion.
local function counter()
  local c = 0
  return function() c = c + 1; return c end
end
local c1, c2 = counter(), counter()
print(c1(), c1(), c1(), c2(), c1(), c2())
-- sibling closures share the same upvalue
local function pair()
  local v = 0
  local function get() return v end
  local function set(x) v = x end
  local function inc() v = v + 1 end
  return get, set, inc
end
local get, set, inc = pair()
print(get()); set(10); print(get()); inc(); inc(); print(get())
local get2 = pair()
print(get2(), get())
-- the enclosing function sees changes made by closures and vice versa
local function both()
  local x = 1
  local f = function() x = x * 2 end
  f(); f()
  local before = x
  x = 100
  f()
  return before, x
end
print(both())
-- deeply nested upvalue chain
local function l1()
  local a = 1
  return function()
    local b = 2
    return function()
      local c = 3
      return function()
        local d = 4
        return function()
          a = a + 1
          return a + b + c + d
        end
      end
    end
  end
end
local innermost = l1()()()()
print(innermost(), innermost(), innermost())
-- a closure capturing a parameter
local function adder(n) return function(x) return x + n end end
local add5, add10 = adder(5), adder(10)
print(add5(1), add10(1), adder(-1)(1))
-- recursive local function captures itself
local function fact(n) if n <= 1 then return 1 end return n * fact(n - 1) end
print(fact(20))
-- recursion through an upvalue that is later reassigned
local rec
rec = function(n) if n == 0 then return "base" end return rec(n - 1) end
local saved = rec
rec = function() return "replaced" end
print(saved(3))
-- mutual recursion of local functions via forward declaration
local even, odd
function even(n) if n == 0 then return true end return odd(n - 1) end
function odd(n) if n == 0 then return false end return even(n - 1) end
print(even(10), odd(7), even(7))
-- upvalues closed when a block exits
local fns = {}
do
  local blockvar = "block"
  fns[1] = function() return blockvar end
  blockvar = "modified in block"
end
print(fns[1]())
-- closures over varargs through a table
local function capture(...)
  local args = { ... }
  return function(i) return args[i] end
end
local cap = capture("x", "y")
print(cap(1), cap(2), cap(3))
-- memoizing closure
local function memoize(f)
  local cache = {}
  local calls = 0
  return function(n)
    local v = cache[n]
    if v == nil then calls = calls + 1; v = f(n); cache[n] = v end
    return v
  end, function() return calls end
end
local sq, ncalls = memoize(function(n) return n * n end)
print(sq(4), sq(4), sq(5), sq(4), ncalls())
-- many upvalues in one closure
local u1, u2, u3, u4, u5, u6, u7, u8 = 1, 2, 3, 4, 5, 6, 7, 8
local function many() return u1 + u2 + u3 + u4 + u5 + u6 + u7 + u8 end
u8 = 80
print(many())
-- closures as objects
local function Stack()
  local items, n = {}, 0
  return {
    push = function(v) n = n + 1; items[n] = v end,
    pop = function() local v = items[n]; items[n] = nil; n = n - 1; return v end,
    size = function() return n end,
  }
end
local st = Stack()
st.push("a"); st.push("b"); st.push("c")
print(st.size(), st.pop(), st.pop(), st.size())
-- function identity
print(c1 == c1, c1 == c2, rawequal(c1, c1))
