-- print and tostring formatting of basic values.
print()
print(nil)
print(1, 2, 3)
print("a", "b")
print("tab\tinside", "next")
print(true, false, nil)
print(nil, nil)
print(3, 3.0, -3, -3.0)
print(0/0, -(0/0))
print(math.huge, -math.huge)
print(math.maxinteger, math.mininteger)
print(1e300, 2^63, -2^63, 2^64)
print(1e15, 1e16, 123456789012345.0, 1234567890123456.0)
print(0.1, 1/3, 100.0, 1e100, 1e-100, 5e-324)
print(-0.0, 0.0, 0)
print(255 // 1, 255 / 1, 7 // 2.0)
print("", "", "")
print("embedded\0zero")
print(1, nil, 3)
print(tostring(nil), tostring(true), tostring(123), tostring(-1.5))
print(("x"):rep(5), #("x"):rep(100))
print(string.format("%5.2f", 1/3), string.format("%d", -0))
-- print calls __tostring and __name-less tables print an address (only checked by prefix)
local T = setmetatable({}, { __tostring = function() return "T!" end })
print(T, T, "after")
print(tostring(print):sub(1, 9), tostring({}):sub(1, 6))
-- numbers as strings keep their form
print("1e2", "0x10", " 5 ")
-- very long output line
local parts = {}
for i = 1, 200 do parts[i] = i end
print(table.concat(parts, ","))
-- many arguments
print(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20)
-- select('#') of print results
print(select("#", print("inner print")))
