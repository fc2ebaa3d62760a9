-- string.byte and string.char: index normalisation, ranges, limits.
local s = "hello"
print(s:byte(), s:byte(1), s:byte(-1), s:byte(5), s:byte(6), s:byte(0))
print(s:byte(1, -1))
print(s:byte(2, 4))
print(s:byte(-3, -2))
print(s:byte(4, 2))
print(select("#", s:byte(10, 20)), select("#", s:byte(-100, 1)), s:byte(-100, 1))
print(s:byte(1.0), s:byte("2"), pcall(s.byte, s, 1.5))
print(select("#", ("").byte("")), ("\0\255"):byte(1, 2))
print(string.char(), string.char(72, 105), string.char(0, 255):byte(1, 2))
print(string.char("65", 66.0), #string.char(0, 0, 0))
print(pcall(string.char, 256))
print(pcall(string.char, -1))
print(pcall(string.char, 65, 1.5))
print(pcall(string.char, 65, nil))
print(pcall(string.byte))
print(pcall(string.byte, "x", {}))
local all = {}
for i = 0, 255 do all[#all + 1] = i end
local bytes = string.char(table.unpack(all))
print(#bytes, bytes:byte(1), bytes:byte(256), bytes:byte(129))
local sum = 0
for i = 1, #bytes do sum = sum + bytes:byte(i) end
print(sum)
print(string.byte("abc", math.mininteger, math.maxinteger))
