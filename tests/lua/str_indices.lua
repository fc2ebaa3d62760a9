-- Negative and out-of-range indices for sub, byte, find, and the other basic functions.
local s = "123456789"
local idx = {math.mininteger, -100, -10, -9, -8, -1, 0, 1, 2, 8, 9, 10, 100, math.maxinteger}
for _, i in ipairs(idx) do
  local row = {}
  for _, j in ipairs(idx) do row[#row + 1] = "[" .. s:sub(i, j) .. "]" end
  print(i, table.concat(row))
end
for _, i in ipairs(idx) do print("sub", i, s:sub(i)) end
for _, i in ipairs(idx) do
  print("byte", i, s:byte(i))
  print("byte..-1", i, select("#", s:byte(i, -1)))
end
print(s:byte(3, 5))
print(s:byte(-3, -1))
print(s:byte(5, 3))
print(select("#", ("abc"):byte(0)))
print(select("#", (""):byte()))
print(("abc"):byte(1.0), pcall(string.byte, "abc", 1.5))
print(string.sub("\000123456789", 3, 5), ("\000123456789"):sub(8))
print(string.sub(s, "2", "4"), string.sub(s, 2.0, 4.0))
print(pcall(string.sub, s, 2.5))
print(pcall(string.sub, s, 1, "x"))
-- char
print(string.char(), string.char(72, 105), string.char(0, 255):byte(1, -1))
print(pcall(string.char, 256))
print(pcall(string.char, -1))
print(pcall(string.char, math.maxinteger))
print(pcall(string.char, math.mininteger))
print(pcall(string.char, 65, "x"))
print(pcall(string.char, 65, nil))
print(string.char("65", 66.0))
-- rep
print(string.rep("ab", 0), string.rep("ab", -1), string.rep("ab", 1), string.rep("", 1e8))
print(string.rep("ab", 3, ""), string.rep("", 3, "-"), string.rep("x", 2, "\0"):byte(1, -1))
print(pcall(string.rep, "x", 2^31))
print(pcall(string.rep, "aa", 2^30))
print(pcall(string.rep, "a", 2^30, ","))
print(pcall(string.rep, "x", math.maxinteger))
print(pcall(string.rep, "", math.maxinteger // 2 + 10, "aa"))
print(pcall(string.rep, "x", 1.5))
print(#string.rep("abc", 1000, ", "))
-- len, upper, lower, reverse with zeros and high bytes
print(string.len("\0\0\0"), #string.upper("ab\0c"), string.upper("ab\0c") == "AB\0C")
print(string.lower("\0ABCc%$") == "\0abcc%$", string.upper("áé"), string.lower("ÀÉ"))
print(string.reverse(""), string.reverse("\0\1\2\3") == "\3\2\1\0", string.reverse("abc"))
print(pcall(string.len))
print(pcall(string.len, {}))
print(pcall(string.upper, nil))
print(pcall(string.reverse, true))
