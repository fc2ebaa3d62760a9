-- Array writes then reads (integer keys in the array part).
local N = 2000000
local ROUNDS = 10
local sum = 0
for r = 1, ROUNDS do
  local t = {}
  for i = 1, N do t[i] = i * r end
  for i = 1, N do sum = sum + t[i] end
  for i = N, 1, -1 do t[i] = t[i] + 1 end
  sum = sum + t[1] + t[N] + #t
end
print("checksum", sum)
