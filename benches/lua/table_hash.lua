-- String-keyed and sparse-integer-keyed hash tables: writes and reads.
local N = 200000
local keys = {}
for i = 1, N do keys[i] = "key" .. i end
local sum = 0
for r = 1, 10 do
  local h = {}
  for i = 1, N do h[keys[i]] = i + r end
  for i = 1, N do sum = sum + h[keys[i]] end
  local s = {}
  for i = 1, N do s[i * 7919 + r] = i end
  for i = 1, N do sum = sum + s[i * 7919 + r] end
  local f = {}
  for i = 1, N // 2 do f[i + 0.5] = i end
  for i = 1, N // 2 do sum = sum + f[i + 0.5] end
  -- field access with constant string keys
  local rec = { alpha = 1, beta = 2, gamma = 3 }
  for i = 1, N do rec.alpha = rec.alpha + rec.beta + rec.gamma - i % 5 end
  sum = sum + rec.alpha
end
print("checksum", sum)
