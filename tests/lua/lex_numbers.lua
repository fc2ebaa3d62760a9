-- Numeric literals: integers, floats, hex, hex floats, overflow.
local function show(x) print(x, math.type(x)) end
show(0)
show(42)
show(00042)
show(3.0)
show(3.)
show(.5)
show(1e2)
show(1E2)
show(1e+2)
show(1e-2)
show(2.5e3)
show(0x10)
show(0Xff)
show(0xA)
show(0x.8)
show(0x1p4)
show(0x1P-1)
show(0xA.8p0)
show(0x.1p4)
show(0x1.8)
show(0xffffffffffffffff)
show(0x7fffffffffffffff)
show(0x8000000000000000)
show(0x10000000000000000)
show(0x1ffffffffffffffff)
show(9223372036854775807)
show(9223372036854775808)
show(-9223372036854775808)
show(-9223372036854775807 - 1)
show(18446744073709551616)
show(1e308)
show(1e309)
show(-1e309)
show(123456789012345678)
show(12345678901234567890)
show(0.1 + 0.2)
show(1e-320)
show(2^53)
show(2^53 + 1)
show(0x7fffffffffffffff + 1)
-- literals glued to operators
print(1+2, 3-1, 2*3, 7//2, 7%3, 2^10, 8/2)
print(0xF0|0x0F, 0xFF~0x0F, 3&5)
-- numbers via load to check malformed literals
local srcs = {
  "return 1e", "return 0x", "return 1.2.3", "return 3x", "return 0xg",
  "return 1e+", "return .e1", "return 08", "return 0x1p", "return 1..2",
}
for i = 1, #srcs do
  local f, err = load(srcs[i], "=num")
  if f then
    local ok, v = pcall(f)
    print(srcs[i], "->", ok, v, math.type(v))
  else
    print(srcs[i], "->", err)
  end
end
