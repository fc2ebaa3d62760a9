-- utf8.char encodings (up to 31 bits), utf8.charpattern.
local function hex(s)
  local out = {}
  for i = 1, #s do out[i] = string.format("%02X", string.byte(s, i)) end
  return table.concat(out)
end
for _, c in ipairs{0, 0x41, 0x7F, 0x80, 0x7FF, 0x800, 0xFFFF, 0x10000, 0x10FFFF, 0x110000,
                   0x1FFFFF, 0x200000, 0x3FFFFFF, 0x4000000, 0x7FFFFFFF, 0xD800, 0xDFFF} do
  print(string.format("%X", c), hex(utf8.char(c)))
end
print(utf8.char(), utf8.char(72, 228, 8364, 128512, 33))
print(utf8.char("65", 66.0))
print(#utf8.char(0x7FFFFFFF, 0))
print(pcall(utf8.char, 0x80000000))
print(pcall(utf8.char, -1))
print(pcall(utf8.char, 65, -1))
print(pcall(utf8.char, math.mininteger))
print(pcall(utf8.char, 1.5))
print(pcall(utf8.char, "x"))
print(pcall(utf8.char, 65, nil))
print(utf8.charpattern == "[\0-\x7F\xC2-\xFD][\x80-\xBF]*", #utf8.charpattern)

