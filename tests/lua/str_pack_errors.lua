-- Errors of pack, unpack and packsize.
local function try(...)
  local t = table.pack(pcall(...))
  for i = 1, t.n do
    local v = t[i]
    if type(v) == "string" then
      v = v:gsub("[^%g ]", function(c) return string.format("\\x%02x", c:byte()) end)
    end
    t[i] = tostring(v)
  end
  print(table.concat(t, " "))
end

try(string.pack, "i0", 0)
try(string.pack, "i17", 0)
try(string.pack, "I0", 0)
try(string.pack, "!17", 0)
try(string.pack, "!0", 0)
try(string.pack, "Xi17")
try(string.pack, "s0", "")
try(string.pack, "s17", "")
try(string.pack, "i3r", 0)
try(string.pack, "y")
try(string.pack, "\200")
try(string.pack, "i4 q", 1)
try(string.unpack, "i16", string.rep("\3", 16))
try(string.pack, "!4i3", 0)
try(string.pack, "c", "")
try(string.pack, "cx", "")
try(string.packsize, "s")
try(string.packsize, "z")
try(string.packsize, "i4s1")
try(string.packsize, "c1" .. string.rep("0", 40))
try(string.packsize, "c2147483647c2")
try(string.packsize, "c2147483640")
try(string.packsize, "c2147483640c10")
try(string.packsize, "c1000000000c1000000000c1000000000")
try(string.pack, "X")
try(string.pack, "Xc1")
try(string.pack, "XX", 1)
try(string.pack, "X i4")
try(string.pack, "X<i4")
try(string.pack, "Xz")
try(string.packsize, "Xs")
try(string.unpack, "XXi", "")
try(string.unpack, "X i", "")
-- value errors
for i = 1, 7 do
  local umax = (1 << (i * 8)) - 1
  local max = umax >> 1
  local min = ~max
  try(string.pack, "<I" .. i, -1)
  try(string.pack, ">I" .. i, umax + 1)
  try(string.pack, ">i" .. i, max + 1)
  try(string.pack, "<i" .. i, min - 1)
end
try(string.pack, "i4", 1.5)
try(string.pack, "i4", "x")
try(string.pack, "i4", {})
try(string.pack, "i4")
try(string.pack, "i4i4", 1)
try(string.pack, "z")
try(string.pack, "s1", {})
try(string.pack, "d", true)
-- unpack errors
try(string.unpack, "z", "abc")
try(string.unpack, "i4", "abc")
try(string.unpack, "i4", "abcd", 6)
try(string.unpack, "i4", "abcd", 5)
try(string.unpack, "c2", "abcd", 4)
try(string.unpack, "s1", "\5abc")
try(string.unpack, "s1", "")
try(string.unpack, "i4")
try(string.unpack, "i4", {})
try(string.unpack, {}, "")
try(string.unpack, "i4", "abcd", 1.5)
try(string.packsize)
try(string.packsize, {})
-- format strings end at an embedded zero
try(string.pack, "i1\0i1", 1, 2)
try(string.packsize, "i4\0i8")
try(string.unpack, "b\0b", "\1\2")
-- errors raised from Lua code carry positions
print(pcall(function() return string.pack("i17", 1) end))
print(pcall(function() return ("i4"):pack("x") end))
print(pcall(function() return string.unpack("z", "x") end))
