-- string.format heavy: integer, float, string, hex, %q, width/precision flags.
local fmt = string.format
local N = 150000
local h = 0
local function mix(s)
  -- cheap deterministic hash of the formatted text (length + a few bytes)
  local n = #s
  h = (h * 31 + n + s:byte(1) + s:byte(n) + s:byte((n + 1) // 2)) % 1000000007
end
local words = { "alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta" }
for i = 1, N do
  local w = words[i % #words + 1]
  local x = i * 1.37
  mix(fmt("%d", i))
  mix(fmt("%5d|%-5d|%05d", i % 1000, i % 777, i % 99999))
  mix(fmt("%x %X %#x %o", i, i * 3, i * 7, i))
  mix(fmt("%.2f", x))
  mix(fmt("%10.4f|%-12.3e|%g", x, x * 1000, x / 7))
  mix(fmt("%s=%s", w, i))
  mix(fmt("[%10s][%-10s][%.3s]", w, w, w))
  mix(fmt("%q", w .. "\n" .. i))
  mix(fmt("%s:%d:%s:%.1f:%c", w, i, tostring(i % 3 == 0), x, 65 + i % 26))
  mix(fmt("%5.1f%%", (i % 1000) / 10))
  mix(fmt("%i %u", -i, i))
  mix(fmt("%a", 1.0 + (i % 8) / 8))
end
print("N", N, "hash", h)
print(fmt("%d %5.2f %-6s| %x %g %g %g", 42, math.pi, "ab", 255, 1e20, 0.1, 2^53))
print(fmt("%q %q %q", 1 / 3, math.mininteger, "a\0b\r\"\\"))
