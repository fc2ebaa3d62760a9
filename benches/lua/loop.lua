-- Numeric for loops with mixed integer/float arithmetic.
local N = 30000000
local isum, fsum, x = 0, 0.0, 1
for i = 1, N do
  isum = isum + (i % 7) * 3 - (i // 5)
  fsum = fsum + i * 0.5
  x = (x * 31 + i) & 0xFFFFFF
end
local w = 0
local j = 0
while j < N // 10 do
  j = j + 1
  w = w ~ (j << 3)
end
print("checksum", isum, string.format("%.1f", fsum), x, w)
