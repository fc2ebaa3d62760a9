-- table.sort through __index/__newindex/__len proxies, and a big deterministic sort.
local store = {}
local log = {}
local proxy = setmetatable({}, {
  __index = function(_, k) return store[k] end,
  __newindex = function(_, k, v) log[#log + 1] = k; store[k] = v end,
  __len = function() return #store end,
})
for i = 1, 12 do store[i] = (i * 5) % 13 end
table.sort(proxy)
print(table.concat(store, " "))
print("writes", #log)
table.sort(proxy, function(a, b) return a > b end)
print(table.concat(store, " "))

-- sorting a userdata-like object that only has the metamethods (a table with __index etc.)
local obj = setmetatable({}, {__index = store, __newindex = store, __len = function() return 12 end})
table.sort(obj)
print(table.concat(store, " "))

-- many elements, deterministic pseudo-random data
math.randomseed(1234)
local a = {}
for i = 1, 20000 do a[i] = math.random(1, 100000) end
table.sort(a)
local ok = true
for i = 2, #a do if a[i] < a[i - 1] then ok = false end end
print("sorted 20000", ok, a[1], a[#a])
local f = {}
for i = 1, 5000 do f[i] = math.random() end
table.sort(f, function(x, y) return x > y end)
ok = true
for i = 2, #f do if f[i] > f[i - 1] then ok = false end end
print("sorted floats desc", ok)
local s = {}
for i = 1, 3000 do s[i] = tostring(math.random(1, 1e6)) end
table.sort(s)
ok = true
for i = 2, #s do if s[i] < s[i - 1] then ok = false end end
print("sorted strings", ok, s[1], s[#s])
-- adversarial-looking patterns finish quickly
for _, n in ipairs{10000, 30000} do
  local t = {}
  for i = 1, n do t[i] = (i % 2 == 0) and i or n - i end
  table.sort(t)
  local good = true
  for i = 2, n do if t[i] < t[i - 1] then good = false end end
  print(n, good)
end
