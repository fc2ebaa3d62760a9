-- Creating closures in a loop and calling them (upvalue access).
local function make_adder(n)
  return function(x) return x + n end
end
local function make_counter()
  local c = 0
  return function() c = c + 1; return c end
end
local N = 5000000
local total = 0
local counter = make_counter()
for i = 1, N do
  local add = make_adder(i)
  total = total + add(1) + counter()
  local k = i & 7
  local f = function(y) return y * k + total % 3 end
  total = total + f(2)
end
print("checksum", total, counter())
