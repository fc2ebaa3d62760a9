-- string.format float conversions: %e %E %f %g %G with flags and edge numbers.
local values = {0.0, -0.0, 1, -1, 0.5, 1/3, -2/3, 123.456, 1e300, -1e300, 1e-300, 2^53, 2^63,
  math.maxinteger, math.mininteger, 1/0, -1/0, 3, "2.5", "1e2"}
local specs = {"%e", "%E", "%f", "%g", "%G", "%.0e", "%.3e", "%12.4e", "%-12.2E|", "%+e",
  "%.0f", "%.1f", "%.3f", "%10.2f", "%-10.2f|", "%010.2f", "%+.2f", "% .2f", "%#.0f",
  "%.0g", "%.1g", "%.3g", "%.10g", "%.17g", "%#g", "%#.3g", "%+g", "% g", "%10g", "%-10G|", "%010g"}
for _, spec in ipairs(specs) do
  local out = {}
  for _, v in ipairs(values) do
    local ok, r = pcall(string.format, spec, v)
    if ok and #r > 40 then r = r:sub(1, 12) .. "..." .. r:sub(-12) .. "(" .. #r .. ")" end
    out[#out + 1] = ok and ("[" .. r .. "]") or ("ERR " .. r)
  end
  print(spec .. " " .. table.concat(out, " "))
end
-- NaN: the sign of a computed NaN is platform-specific, so print it through its absolute value
print(string.format("%f %e %g", math.abs(0/0), math.abs(0/0), math.abs(0/0)):gsub("-", ""))
print(string.format("%.1f %.1f %.1f %.1f %.1f", 0.05, 0.15, 0.25, 0.35, 2.5))
print(string.format("%.0f %.0f %.0f %.0f", 0.5, 1.5, 2.5, -0.5))
print(string.format("%.20f", 0.1))
print(string.format("%.99f", 1/3):len())
print(#string.format("%.99f", -1e308), string.format("%.99f", -1e308):sub(1, 20))
print(string.format("%99.99f", 1):len())
print(string.format("%5.1f|%-8.3f|%08.3f", 3.14159, 3.14159, -3.14159))
print(string.format("%g %g %g %g %g", 100000, 1000000, 1e-4, 1e-5, 123456789012))
print(string.format("%.14g", 0.1), string.format("%.14g", 2^63), string.format("%.14g", -1e-310))
print(tonumber(string.format("%f", 10.3)) == 10.3)
print(string.format("% 1.0E", 100), string.format("% .1g", 2^10))
print(string.format("%+#014.0f", 100))
print(string.format("%+.3G", 1.5))
print(string.format("%e", 5), string.format("%f", 5), string.format("%g", 5))
print(pcall(string.format, "%f", "x"))
print(pcall(string.format, "%f", nil))
print(pcall(string.format, "%f", {}))
print(pcall(string.format, "%F", 1))
print(pcall(string.format, "%.100f", 1))
print(pcall(string.format, "%100f", 1))
print(pcall(string.format, "%Lf", 1))
