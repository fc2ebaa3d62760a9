-- Mandelbrot set: tight floating-point loops, integer bit accumulation.
-- Computes the usual 1-bit-per-pixel image but prints a checksum instead.
local N = 1200
local iter = 50
local limit2 = 4.0
local sum, inside = 0, 0
for y = 0, N - 1 do
  local Ci = 2.0 * y / N - 1.0
  local bits, nbits = 0, 0
  for x = 0, N - 1 do
    local Cr = 2.0 * x / N - 1.5
    local Zr, Zi, Zrq, Ziq = 0.0, 0.0, 0.0, 0.0
    local escaped = false
    for _ = 1, iter do
      Zi = 2.0 * Zr * Zi + Ci
      Zr = Zrq - Ziq + Cr
      Zrq = Zr * Zr
      Ziq = Zi * Zi
      if Zrq + Ziq > limit2 then escaped = true; break end
    end
    bits = bits << 1
    if not escaped then bits = bits | 1; inside = inside + 1 end
    nbits = nbits + 1
    if nbits == 8 then
      sum = (sum * 31 + bits) % 1000000007
      bits, nbits = 0, 0
    end
  end
  if nbits > 0 then
    sum = (sum * 31 + (bits << (8 - nbits))) % 1000000007
  end
end
print("size", N, "inside", inside, "checksum", sum)
