-- Classic algorithms: sieve, n-queens, memoized fibonacci, gcd, binary search, sorting.
-- sieve of Eratosthenes
local function sieve(n)
  local is = {}
  for i = 2, n do is[i] = true end
  for i = 2, n do
    if is[i] and i * i <= n then
      for j = i * i, n, i do is[j] = false end
    end
  end
  local primes = {}
  for i = 2, n do if is[i] then primes[#primes + 1] = i end end
  return primes
end
local p = sieve(10000)
print(#p, p[1], p[100], p[#p])
local small = sieve(60)
print(table.concat(small, " "))
-- n-queens: count all solutions and print the first for n = 8
local function queens(n)
  local cols, d1, d2, pos = {}, {}, {}, {}
  local count, first = 0, nil
  local function place(r)
    if r > n then
      count = count + 1
      if not first then first = table.concat(pos, ",") end
      return
    end
    for c = 1, n do
      if not cols[c] and not d1[r + c] and not d2[r - c + n] then
        cols[c], d1[r + c], d2[r - c + n] = true, true, true
        pos[r] = c
        place(r + 1)
        cols[c], d1[r + c], d2[r - c + n] = nil, nil, nil
      end
    end
  end
  place(1)
  return count, first
end
for n = 1, 8 do print("queens", n, queens(n)) end
-- memoized fibonacci with big integers wrapping and floats
local memo = {}
local function fib(n)
  if n <= 2 then return 1 end
  local v = memo[n]
  if v then return v end
  v = fib(n - 1) + fib(n - 2)
  memo[n] = v
  return v
end
print(fib(10), fib(50), fib(90), fib(92))
print(fib(93), math.type(fib(93))) -- wraps around (integer overflow)
local function fibf(n) local a, b = 0.0, 1.0; for _ = 1, n do a, b = b, a + b end; return a end
print(fibf(93), fibf(100))
-- gcd / lcm
local function gcd(a, b) while b ~= 0 do a, b = b, a % b end return a end
print(gcd(48, 18), gcd(17, 5), gcd(0, 9), gcd(2^40 | 0, 6^15 | 0))
local l = 1
for i = 1, 20 do l = l // gcd(l, i) * i end
print("lcm 1..20", l)
-- binary search
local arr = {}
for i = 1, 1000 do arr[i] = i * 3 end
local function bsearch(t, x)
  local lo, hi = 1, #t
  while lo <= hi do
    local mid = (lo + hi) // 2
    if t[mid] == x then return mid
    elseif t[mid] < x then lo = mid + 1
    else hi = mid - 1 end
  end
  return nil
end
print(bsearch(arr, 3), bsearch(arr, 1500), bsearch(arr, 3000), bsearch(arr, 1501), bsearch(arr, 0))
-- merge sort and quicksort on pseudo-random data (LCG, deterministic)
local seed = 12345
local function rand(n)
  seed = (seed * 1103515245 + 12345) % 2147483648
  return seed % n
end
local data = {}
for i = 1, 500 do data[i] = rand(1000) end
local function mergesort(t)
  if #t <= 1 then return t end
  local mid = #t // 2
  local left, right = {}, {}
  for i = 1, mid do left[#left + 1] = t[i] end
  for i = mid + 1, #t do right[#right + 1] = t[i] end
  left, right = mergesort(left), mergesort(right)
  local out, i, j = {}, 1, 1
  while i <= #left and j <= #right do
    if left[i] <= right[j] then out[#out + 1] = left[i]; i = i + 1
    else out[#out + 1] = right[j]; j = j + 1 end
  end
  for k = i, #left do out[#out + 1] = left[k] end
  for k = j, #right do out[#out + 1] = right[k] end
  return out
end
local function quicksort(t, lo, hi)
  lo, hi = lo or 1, hi or #t
  if lo >= hi then return t end
  local pivot, i = t[hi], lo - 1
  for j = lo, hi - 1 do
    if t[j] <= pivot then i = i + 1; t[i], t[j] = t[j], t[i] end
  end
  t[i + 1], t[hi] = t[hi], t[i + 1]
  quicksort(t, lo, i)
  quicksort(t, i + 2, hi)
  return t
end
local ms = mergesort(data)
local copy = { table.unpack(data) }
local qs = quicksort(copy)
local same, sorted = true, true
for i = 1, #ms do
  if ms[i] ~= qs[i] then same = false end
  if i > 1 and ms[i - 1] > ms[i] then sorted = false end
end
print(#ms, same, sorted, ms[1], ms[250], ms[500])
local sum = 0
for i = 1, #data do sum = sum + data[i] end
print("checksum", sum)
-- collatz lengths
local best, bestn = 0, 0
for n = 1, 10000 do
  local len, x = 1, n
  while x ~= 1 do
    if x % 2 == 0 then x = x // 2 else x = 3 * x + 1 end
    len = len + 1
  end
  if len > best then best, bestn = len, n end
end
print("collatz", bestn, best)
