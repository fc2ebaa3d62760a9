-- table.sort: default comparison on integers, floats and strings, custom
-- comparators (descending, multi-key records), already sorted/reversed input.
local h = 0
local function mix(n) h = (h * 31 + n) % 1000000007 end

-- deterministic linear congruential generator (no math.random)
local seed = 12345
local function rnd(n)
  seed = (seed * 1103515245 + 12345) % 2147483648
  return seed % n + 1
end

local function check_sorted(t, lt)
  for i = 2, #t do
    if lt(t[i], t[i - 1]) then error("not sorted at " .. i) end
  end
end
local function default_lt(a, b) return a < b end

local N = 30000
local R = 10
for _ = 1, R do
  -- integers, default comparator
  local a = {}
  for i = 1, N do a[i] = rnd(1000000) end
  table.sort(a)
  check_sorted(a, default_lt)
  mix(a[1] + a[N // 2] + a[N])

  -- floats, descending comparator
  local f = {}
  for i = 1, N do f[i] = rnd(1000000) / 7 end
  table.sort(f, function(x, y) return x > y end)
  mix(math.floor(f[1] + f[N // 2] + f[N]))

  -- strings, default comparator
  local s = {}
  for i = 1, N // 2 do s[i] = "k" .. rnd(100000) .. "_" .. (i % 10) end
  table.sort(s)
  check_sorted(s, default_lt)
  mix(#s[1] + #s[N // 4] + s[N // 2]:byte(-1))

  -- records with a two-key comparator
  local recs = {}
  for i = 1, N // 2 do recs[i] = { group = rnd(50), id = i } end
  table.sort(recs, function(x, y)
    if x.group ~= y.group then return x.group < y.group end
    return x.id > y.id
  end)
  mix(recs[1].group * 100000 + recs[1].id + recs[N // 2].id)

  -- already sorted, reversed and all-equal inputs
  local sorted, rev, eq = {}, {}, {}
  for i = 1, N do sorted[i] = i; rev[i] = N - i; eq[i] = 5 end
  table.sort(sorted); table.sort(rev); table.sort(eq)
  mix(sorted[N] + rev[1] + rev[N] + eq[N])
  table.sort(sorted, function(x, y) return x > y end)
  mix(sorted[1])
end
print("N", N, "R", R, "hash", h)
local t = { 5, 2, 8, 1, 9, 3 }
table.sort(t)
print(table.concat(t, " "))
table.sort(t, function(a, b) return a > b end)
print(table.concat(t, " "))
local w = { "pear", "Apple", "fig", "banana", "apple" }
table.sort(w)
print(table.concat(w, " "))
print(pcall(table.sort, { 1, "x", 2 }))
