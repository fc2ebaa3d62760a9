-- Float to string conversion (%.14g plus ".0" for integral floats).
local vals = {
  1e15, 1e16, 1e14, 123456789012345.0, 1234567890123456.0, 0.1, 0.5, -0.0, 0.0,
  1/0, -1/0, 2^63, -2^63, 2^53, 2^24, math.pi, -math.pi, 100.0, -100.0, 1e100,
  1e-1, 1e-4, 1e-5, 1e-10, 1.5e-7, 123.456, 1/3, 2/3, 10/3, 1e300, 1e308,
  3.0, -3.0, 255.0, 0.1 + 0.2, 1 - 0.9, 12345.678901234567, 99999999999999.9,
  999999999999999.9, 5e-324, 2.2250738585072014e-308, 1.7976931348623157e308,
  65536.0 * 65536.0, 7.0e20, 1e21, 4.5, -2.5, 1e2, 0.001,
}
for i = 1, #vals do
  local v = vals[i]
  print(i, v, tostring(v), v .. "", math.type(v))
end
print(string.format("%.14g", 0.1), string.format("%.17g", 0.1))
print(string.format("%g", 1e20), string.format("%g", 100000), string.format("%g", 1000000))
print(string.format("%g", 0.0001), string.format("%g", 0.00001), string.format("%g", 2.0))
print(string.format("%f", 1/3), string.format("%.2f", 2.675), string.format("%.0f", 0.5), string.format("%.0f", 1.5))
print(string.format("%5.1f|%-8.3f|%08.2f", 3.14159, 2.5, -1.5))
print(string.format("%.3g|%10.4g|%-10g|", math.pi, 1234567.0, 0.5))
print(3 == 3.0, tostring(3) == tostring(3.0))
print(-0.0 == 0.0, tostring(-0.0), tostring(0.0))
print(1e15 + 0.5, 2^52 + 0.5)
print(math.floor(2^31 + 0.5), math.floor(-2^31 - 0.5))
print(8 // 3 * 1.0, 2^31, 2^32, 2^62, 2^64)
