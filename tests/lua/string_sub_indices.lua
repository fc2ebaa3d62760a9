-- string.sub: every kind of index, including extremes and floats.
local s = "0123456789"
local cases = {
  { 1, -1 }, { 3 }, { -3 }, { 0 }, { 3, 5 }, { 5, 3 }, { -100, 2 }, { 8, 100 },
  { 0, 0 }, { 11 }, { 10, 10 }, { -1, -1 }, { -10, -10 }, { -11, 1 }, { 2, -9 },
  { math.mininteger, math.maxinteger }, { math.maxinteger }, { math.mininteger, 3 },
  { 2.0, 4.0 }, { "2", "4" },
}
for _, c in ipairs(cases) do
  print(c[1], c[2], "[" .. s:sub(c[1], c[2]) .. "]")
end
print(("").sub("", 1, 1) == "", string.sub(12345, 2, 3), ("x"):sub(2) == "")
print(pcall(string.sub, s, 1.5))
print(pcall(string.sub, s, 1, "z"))
print(pcall(string.sub, s))
print(pcall(string.sub, nil, 1))
print(pcall(string.sub, s, 2^63))
