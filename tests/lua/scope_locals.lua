-- Locals, scoping and shadowing.
local x = 1
print(x)
do
  local x = 2
  print(x)
  do
    local x = x + 1
    print(x)
  end
  print(x)
end
print(x)
local x = x * 10 -- new local initialised from the old one
print(x)
-- local function vs local f = function for recursion
local function fact(n) if n <= 1 then return 1 end return n * fact(n - 1) end
print(fact(10))
local fib
fib = function(n) if n < 2 then return n end return fib(n - 1) + fib(n - 2) end
print(fib(15))
-- shadowing in the same scope
local a = "first"
local a = a .. " second"
print(a)
-- locals not visible outside their block
do local hidden = 42 end
print(hidden)
-- globals vs locals
g1 = "global"
local g1 = "local"
print(g1, _ENV.g1, _G.g1)
-- multiple locals with fewer values
local p, q, r = 1, 2
print(p, q, r)
local u, v = 1, 2, 3
print(u, v)
local function two() return "x", "y" end
local m1, m2, m3 = two()
print(m1, m2, m3)
local n1, n2, n3 = two(), "z"
print(n1, n2, n3)
local o1, o2, o3 = 0, two()
print(o1, o2, o3)
-- locals in nested functions
local outer = "outer"
local function f()
  local outer = "inner"
  return outer
end
print(f(), outer)
-- loop variable is local to the loop
local i = "before"
for i = 1, 2 do end
print(i)
-- a block in a loop creates fresh locals each iteration
local prev
for k = 1, 3 do
  local fresh
  print(k, fresh, prev)
  fresh = k
  prev = fresh
end
-- many locals in one function
local l1, l2, l3, l4, l5, l6, l7, l8, l9, l10 = 1, 2, 3, 4, 5, 6, 7, 8, 9, 10
local l11, l12, l13, l14, l15, l16, l17, l18, l19, l20 = 11, 12, 13, 14, 15, 16, 17, 18, 19, 20
print(l1 + l2 + l3 + l4 + l5 + l6 + l7 + l8 + l9 + l10 + l11 + l12 + l13 + l14 + l15 + l16 + l17 + l18 + l19 + l20)
-- _ENV as a local changes global resolution
do
  local _ENV = { print = print, y = "from custom env" }
  print(y)
  z = 5
  print(z, _ENV.z)
end
print(z)
-- _G and _ENV
print(_G == _ENV, _G._G == _G, type(_G))
