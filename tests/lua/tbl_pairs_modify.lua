-- Modifying existing fields during traversal is allowed (assign or clear).
local function sorted(a)
  for i = 2, #a do
    local v = a[i]
    local j = i - 1
    while j >= 1 and a[j] > v do a[j + 1] = a[j]; j = j - 1 end
    a[j + 1] = v
  end
  return a
end
local t = {}
for i = 1, 50 do t["k" .. i] = i end
for i = 1, 20 do t[i] = i end
-- double every value while traversing
for k, v in pairs(t) do t[k] = v * 2 end
local sum = 0
for _, v in pairs(t) do sum = sum + v end
print("sum after doubling", sum)
-- clear every odd value while traversing
for k, v in pairs(t) do
  if v % 4 == 2 then t[k] = nil end
end
local left = {}
for k, v in pairs(t) do left[#left + 1] = tostring(k) end
sorted(left)
print(#left, table.concat(left, " "))
-- clear everything during traversal
for k in pairs(t) do t[k] = nil end
print("empty", next(t))
-- next continues correctly after clearing the current key
local u = { a = 1, b = 2, c = 3, d = 4, e = 5 }
local visited = {}
local k, v = next(u)
while k do
  visited[#visited + 1] = k .. v
  u[k] = nil
  k, v = next(u, k)
end
sorted(visited)
print(table.concat(visited, ","), next(u))
-- array part modification during ipairs
local arr = { 1, 2, 3, 4, 5 }
for i, x in ipairs(arr) do arr[i] = x * x end
print(table.concat(arr, " "))
-- truncating during ipairs stops the loop
local arr2 = { 1, 2, 3, 4, 5, 6 }
local seen = {}
for i, x in ipairs(arr2) do
  seen[#seen + 1] = x
  if i == 3 then arr2[4] = nil end
end
print(table.concat(seen, " "))
-- appending during ipairs is visible
local arr3 = { 1 }
local n = 0
for i, x in ipairs(arr3) do
  n = n + 1
  if i < 5 then arr3[i + 1] = x + 1 end
end
print(n, table.concat(arr3, " "))
