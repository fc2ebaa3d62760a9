-- Randomized number formatting and parsing, compared with lua5.4 through the golden output.
-- A fixed-seed 64-bit LCG (integer arithmetic wraps in Lua 5.4) drives the inputs, so the
-- sequence is the same in every implementation.
local state = 0x2545F4914F6CDD1D
local function rnd()
  state = state * 6364136223846793005 + 1442695040888963407
  return state
end
local function rnd_float()
  local kind = rnd() % 8
  local bits = rnd()
  if kind == 0 then
    -- uniform in [0, 1)
    return (bits >> 11) * 2.0^-53
  elseif kind == 1 then
    -- wide magnitudes: mantissa times a power of ten
    return ((bits >> 11) * 2.0^-53 - 0.5) * 10.0^((rnd() % 617) - 308)
  elseif kind == 2 then
    -- integral floats, some beyond 2^53 and 2^63
    return ((bits >> 8) * 1.0) * 2.0^((rnd() % 40) - 20)
  elseif kind == 3 then
    -- short decimals like 0.1, 12.5
    return (bits % 100000) / 10^(rnd() % 6)
  elseif kind == 4 then
    return -((bits >> 11) * 2.0^-53) * 2.0^((rnd() % 2098) - 1074)
  elseif kind == 5 then
    -- tiny and subnormal numbers
    return ((bits >> 11) + 1) * 2.0^-1074 * 2.0^(rnd() % 60)
  elseif kind == 6 then
    return (bits >> 20) + 0.5
  else
    return (bits % 2000 - 1000) * 0.001
  end
end
local n_ok, lines = 0, 0
for i = 1, 1500 do
  local x = rnd_float()
  local s = tostring(x)
  local back = tonumber(s)
  -- tostring uses %.14g, so the round trip is exact only for short numbers; print both.
  print(i, s, string.format("%.17g", x), string.format("%g", x), string.format("%a", x),
    back == x, math.type(back), tonumber(string.format("%.17g", x)) == x, tonumber(string.format("%a", x)) == x)
  lines = lines + 1
end
for i = 1, 800 do
  local n = rnd()
  if i % 3 == 0 then n = n >> (rnd() % 64) end
  if i % 5 == 0 then n = -(n % 100000) end
  print(i, n, tostring(n), string.format("%d", n), string.format("%5.3d|%-8d|%+d|%x|%X|%o", n % 1000, n % 1000, n % 1000, n, n, n % 4096),
    tonumber(tostring(n)) == n, math.type(tonumber(tostring(n))), n + 0.0, tostring(n * 1.0) == tostring(n + 0.0))
end
-- parsing: strings built from pieces, valid and invalid
local pieces = { "", " ", "-", "+", "0", "1", "9", "0x", "0X", "a", "F", ".", "e", "E", "p", "P", "+", "-", "10", "inf", "nan", "5", "\t" }
for i = 1, 1200 do
  local parts = {}
  for j = 1, 1 + rnd() % 6 do
    parts[#parts + 1] = pieces[1 + rnd() % #pieces]
  end
  local s = table.concat(parts)
  local v = tonumber(s)
  print(i, string.format("%q", s), v, math.type(v), tonumber(s, 16), tonumber(s, 36))
end
print("lines", lines)
