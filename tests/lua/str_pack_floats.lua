-- string.pack/unpack of f, d and n, both endiannesses.
local function hex(s)
  return (s:gsub(".", function(c) return string.format("%02x", c:byte()) end))
end
for _, n in ipairs({0, -0.0, 1, -1.5, 0.1, 1/3, 1e10, -1e9, 2000.25, 1e300, 1e-300, 1/0, -1/0, 2^53, 3, "2.5"}) do
  local f, d, nn = string.pack("<f", n), string.pack(">d", n), string.pack("n", n)
  print(n, hex(f), hex(d), hex(nn), string.unpack("<f", f), string.unpack(">d", d), string.unpack("n", nn))
end
for _, n in ipairs({0, -1.1, 1.9, 1/0, -1/0, 1e20, -1e20, 0.1, 2000.7}) do
  print(string.unpack("n", string.pack("n", n)) == n,
    string.unpack("<n", string.pack("<n", n)) == n,
    string.unpack(">n", string.pack(">n", n)) == n,
    string.pack("<f", n) == string.pack(">f", n):reverse(),
    string.pack(">d", n) == string.pack("<d", n):reverse())
end
-- NaN round-trips as NaN
local nan = string.unpack("d", string.pack("d", 0/0))
print(nan ~= nan)
-- float precision loss and overflow to infinity
print(string.unpack("f", string.pack("f", 0.1)))
print(string.unpack("f", string.pack("f", 1e300)))
print(string.unpack("f", string.pack("f", 16777217)))
print(math.type(string.unpack("f", string.pack("f", 3))))
print(math.type(string.unpack("d", string.pack("d", 3))))
print(pcall(string.pack, "d", "x"))
print(pcall(string.pack, "f", {}))
print(pcall(string.pack, "n"))
print(pcall(string.unpack, "d", "1234567"))
print(pcall(string.unpack, "f", "123"))
