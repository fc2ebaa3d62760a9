-- string.pack/unpack round trips over many formats, positions and size queries.
local function hex(s) return (s:gsub(".", function(c) return string.format("%02x", c:byte()) end)) end
local formats = {
  { "<i4", -2 }, { ">i4", -2 }, { "<I2", 65535 }, { ">I3", 0x123456 }, { "<j", math.mininteger },
  { "<J", -1 }, { "<T", 1 << 40 }, { "<b", -128 }, { "<B", 255 }, { "<h", -300 }, { "<H", 300 },
  { "<l", -5 }, { "<L", 5 }, { "<d", 1.5 }, { "<f", -0.25 }, { "<n", 3.0 }, { "<s1", "hi" },
  { "<s2", "hello" }, { "<z", "zero" }, { "c5", "ab" }, { "<i16", -3 }, { "<I9", 7 },
}
for _, c in ipairs(formats) do
  local packed = string.pack(c[1], c[2])
  local back, pos = string.unpack(c[1], packed)
  print(c[1], hex(packed), tostring(back):gsub("%z", "\\0"), pos, #packed)
end
print(string.packsize("<i4i8"), string.packsize("!<i4i8"), string.packsize("!4 i1 i8"), string.packsize("c10 x"))
print(string.unpack("<i2 i2", "\1\0\2\0"), string.unpack("<i2", "\0\0\5\0", 3))
print(string.unpack("<i2", "\0\0\5\0", -2))
print(pcall(string.unpack, "<i4", "abc"))
print(pcall(string.unpack, "<i2", "abcd", 4))
print(pcall(string.unpack, "<i2", "abcd", 10))
print(pcall(string.pack, "i17", 1))
print(pcall(string.pack, "<i1", 200))
print(pcall(string.pack, "<I1", -1))
print(pcall(string.pack, "s1", string.rep("x", 300)))
print(pcall(string.pack, "z", "a\0b"))
print(pcall(string.packsize, "s"))
print(pcall(string.packsize, "z"))
print(pcall(string.pack, "q", 1))
print(pcall(string.pack, "<i4"))
print(pcall(string.unpack, "<i9", string.rep("\255", 8) .. "\1"))
print(string.unpack("<i9", string.rep("\255", 9)))
print(string.unpack("<I8", string.pack("<j", -1)) == -1, select("#", string.unpack("<i1i1i1", "\1\2\3")))
