-- table.sort with the default order: numbers (int/float mixed), strings, edge sizes.
local function show(t) print(#t, table.concat(t, " ")) end
local function check(t, f)
  f = f or function(a, b) return a < b end
  for i = #t, 2, -1 do assert(not f(t[i], t[i - 1]), "not sorted at " .. i) end
end

local t = {}
table.sort(t); show(t)
t = {1}; table.sort(t); show(t)
t = {2, 1}; table.sort(t); show(t)
t = {3, 1, 2}; table.sort(t); show(t)
t = {5, 3, 8, 1, 9, 2, 7, 4, 6, 0}; table.sort(t); show(t)
t = {3.5, 1, 2.25, -7, 2^53, -0.0, 100, 1e300, -1e300, math.maxinteger, math.mininteger}
table.sort(t); show(t)
t = {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}
table.sort(t); show(t)
t = {"b", "a", "\0x", "", "ab", "aB", "A", "á", "z\0", "z"}
table.sort(t)
for i, v in ipairs(t) do io.write(string.format("%q ", v)) end print()
t = {2^63, math.maxinteger, math.maxinteger - 1, 2^63 - 1024, -2^63, math.mininteger}
table.sort(t)
for _, v in ipairs(t) do io.write(string.format("%s(%s) ", v, math.type(v))) end print()

-- all permutations of small arrays
local function perm(s, n)
  n = n or #s
  if n <= 1 then
    local c = {table.unpack(s)}
    table.sort(c); check(c)
  else
    for i = 1, n do
      s[i], s[n] = s[n], s[i]
      perm(s, n - 1)
      s[i], s[n] = s[n], s[i]
    end
  end
end
perm{}; perm{1}; perm{1, 2}; perm{1, 2, 3}; perm{1, 2, 3, 4}; perm{2, 2, 3, 4}
perm{1, 2, 3, 4, 5}; perm{1, 2, 3, 3, 5}; perm{1, 2, 3, 4, 5, 6}; perm{2, 2, 3, 3, 5, 6}
print("perms ok")

-- sorted, reversed, constant and organ-pipe inputs of several sizes
for _, n in ipairs{7, 50, 99, 100, 101, 128, 129, 500, 2000} do
  local a, b, c, d = {}, {}, {}, {}
  for i = 1, n do
    a[i] = i; b[i] = n - i; c[i] = 42
    d[i] = i <= n // 2 and i or n - i
  end
  table.sort(a); table.sort(b); table.sort(c); table.sort(d)
  check(a); check(b); check(c); check(d)
  print(n, a[1], a[n], b[1], b[n], c[1], d[1], d[n])
end
