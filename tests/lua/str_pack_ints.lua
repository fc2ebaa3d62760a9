-- string.pack/unpack of integers: every integer option, both endiannesses, all sizes.
local function hex(s)
  return (s:gsub(".", function(c) return string.format("%02x", c:byte()) end))
end

print(string.packsize("b"), string.packsize("h"), string.packsize("i"), string.packsize("l"),
  string.packsize("j"), string.packsize("T"), string.packsize("f"), string.packsize("d"), string.packsize("n"))
for _, opt in ipairs({"b", "B", "h", "H", "i", "I", "l", "L", "j", "J", "T"}) do
  for _, v in ipairs({0, 1, 100, 127}) do
    local le, be = string.pack("<" .. opt, v), string.pack(">" .. opt, v)
    print(opt, v, hex(le), hex(be), string.unpack("<" .. opt, le), string.unpack(">" .. opt, be))
  end
end
for _, v in ipairs({-1, -128, 255, -32768, 65535, 2^31, -2^31, math.maxinteger, math.mininteger}) do
  for _, opt in ipairs({"b", "B", "h", "H", "i4", "I4", "j", "J"}) do
    local ok, s = pcall(string.pack, "<" .. opt, v)
    if ok then
      print(opt, v, hex(s), string.unpack("<" .. opt, s))
    else
      print(opt, v, s)
    end
  end
end
-- all sizes from 1 to 16
for i = 1, 16 do
  local s = string.pack("<i" .. i, -2)
  local u = string.pack(">I" .. i, 0x7f)
  print(i, hex(s), string.unpack("<i" .. i, s), hex(u), string.unpack(">I" .. i, u), string.packsize("i" .. i))
end
local lnum = 0x13121110090807060504030201
print(hex(string.pack("<j", lnum)), hex(string.pack(">j", lnum)))
print(string.unpack("<i9", string.pack("<j", lnum) .. "\0") == lnum)
print(string.unpack("<i12", string.pack("<j", -lnum) .. ("\xff"):rep(4)) == -lnum)
print(string.unpack(">i12", ("\xff"):rep(4) .. string.pack(">j", -lnum)) == -lnum)
print(pcall(string.unpack, "<I9", ("\0"):rep(8) .. "\1"))
print(pcall(string.unpack, ">i9", "\1" .. ("\0"):rep(8)))
print(pcall(string.unpack, "<i16", ("\3"):rep(16)))
print(string.unpack("<i16", ("\xff"):rep(16)))
print(pcall(string.unpack, "<i16", ("\xff"):rep(8) .. ("\0"):rep(8)))
-- sign extension
for i = 1, 7 do
  print(i, string.unpack("<i" .. i, "\xf0" .. ("\xff"):rep(i - 1)), string.unpack(">I" .. i, "\xf0" .. ("\xff"):rep(i - 1)))
end
-- native and explicit endianness
print(string.pack("=i4", 2001) == string.pack("i4", 2001), string.pack("<i4", 1) == string.pack("i4", 1))
print(hex(string.pack(">i2 <i2 =i2", 10, 20, 30)))
print(string.unpack("<i2 >i2", "\10\0\0\20"))
-- integral floats and numeric strings are accepted
print(hex(string.pack("i2", 3.0)), hex(string.pack("i2", "7")), hex(string.pack("i2", "0x10")))
