-- next/pairs/ipairs traversal (order-independent checks).
local function sort(a)
  for i = 2, #a do
    local v = a[i]
    local j = i - 1
    while j >= 1 and a[j] > v do a[j + 1] = a[j]; j = j - 1 end
    a[j + 1] = v
  end
  return a
end
local t = { 10, 20, 30, x = "X", y = "Y", [100] = "hundred", [-1] = "neg" }
local keys, count = {}, 0
for k, v in pairs(t) do
  keys[#keys + 1] = tostring(k) .. "=" .. tostring(v)
  count = count + 1
end
sort(keys)
print(count, table.concat(keys, " "))
-- next by hand
local n, k = 0, nil
repeat
  k = next(t, k)
  if k ~= nil then n = n + 1 end
until k == nil
print("next visited", n)
print(next({}), select("#", next({})))
print(next({ "only" }))
print(type(next), rawequal(pairs({}), next))
-- pairs returns next, t, nil
local f, s, init = pairs(t)
print(f == next, s == t, init)
-- ipairs stops at first nil
local arr = { 1, 2, nil, 4 }
local seen = {}
for i, v in ipairs(arr) do seen[#seen + 1] = i .. ":" .. v end
print(table.concat(seen, " "))
local arr2 = { "a", "b", "c" }
arr2[5] = "e"
seen = {}
for i, v in ipairs(arr2) do seen[#seen + 1] = v end
print(table.concat(seen, ","))
-- ipairs on an empty table and with false values
for i, v in ipairs({}) do print("never") end
seen = {}
for i, v in ipairs({ false, false, nil, true }) do seen[#seen + 1] = tostring(v) end
print(table.concat(seen, ","))
-- ipairs returns three values
local g, st, i0 = ipairs(arr)
print(type(g), st == arr, i0)
print(g(arr, 0))
print(g(arr, 1))
print(g(arr, 2))
-- numeric keys: integer and float forms are the same key
local nums = {}
nums[1] = "one"; nums[2.0] = "two"; nums[3.5] = "three and a half"
local nk = {}
for k, v in pairs(nums) do nk[#nk + 1] = k end
sort(nk)
for i = 1, #nk do print(nk[i], math.type(nk[i]), nums[nk[i]]) end
-- sum of values via pairs is order independent
local big = {}
for i = 1, 200 do big[i] = i; big["k" .. i] = i end
local sum, cnt = 0, 0
for _, v in pairs(big) do sum = sum + v; cnt = cnt + 1 end
print(sum, cnt)
-- next on an array traverses all elements
local c2 = 0
for k2 in next, { 1, 2, 3, 4 } do c2 = c2 + k2 end
print(c2)
