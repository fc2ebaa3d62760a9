-- io.write and print format numbers the same way tostring does ("%.14g", integers exactly).
io.write(1, " ", 1.0, " ", -0.0, " ", 1e100, " ", 0.1, " ", 2^63, " ", math.mininteger, " ", 1/3, "\n")
io.write(1e15, " ", 1e16, " ", 123456.789e3, " ", 2^-1074, " ", 1/0, " ", -1/0, "\n")
print(1, 1.0, -0.0, 1e100, 0.1, 2^63, math.mininteger, 1/3)
print(100 // 1, 100 / 1, 7 // 2.0, 3 % 1.5, 2^2, 10 // 3)
local parts = {}
for _, v in ipairs({ 255, 255.0, 2^24, 2^53, 1e-5, 12345678901234567890 }) do
  parts[#parts + 1] = tostring(v)
end
print(table.concat(parts, " "))
print(string.format("%s %s", 1.5, 2), 1.5 .. "", 2 .. "")
io.write("a", "b", "\n")
io.write()
print(pcall(io.write, {}))
print(pcall(io.write, true))
print(pcall(io.write, nil))
io.stdout:write("x", 1, 2.0, "\n")
