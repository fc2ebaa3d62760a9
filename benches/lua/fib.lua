-- Recursive Fibonacci: function calls, integer arithmetic, comparisons.
local function fib(n)
  if n < 2 then return n end
  return fib(n - 1) + fib(n - 2)
end
local N = 36
print("fib(" .. N .. ")", fib(N))
