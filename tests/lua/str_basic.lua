-- Basic string library functions and the # operator.
local s = "Hello, World"
print(#s, s:len(), string.len(s), #"", ("\0\0"):len())
-- sub
print(s:sub(1, 5), s:sub(8), s:sub(-5), s:sub(-5, -2), s:sub(0), s:sub(0, 0))
print("[" .. s:sub(5, 4) .. "]", "[" .. s:sub(100) .. "]", "[" .. s:sub(-100, 2) .. "]")
print(s:sub(3, -3), s:sub(-3, 3), s:sub(12, 12), s:sub(13, 13), s:sub(-1))
print(s:sub(2.0, 3), s:sub("2", "4"))
print(s:sub(math.mininteger, math.maxinteger), s:sub(math.maxinteger))
print(string.sub("abc", 2))
-- rep
print(("ab"):rep(3), ("ab"):rep(3, ","), ("x"):rep(1, "SEP"))
print("[" .. ("ab"):rep(0) .. "]", "[" .. ("ab"):rep(-1) .. "]", "[" .. ("ab"):rep(0, ",") .. "]")
print(("-"):rep(20))
print(#("abc"):rep(1000, "--"))
print(string.rep("", 100) == "")
-- byte / char
print(s:byte(), s:byte(1), s:byte(-1), s:byte(1, 3))
print(s:byte(100), select("#", s:byte(100)), select("#", s:byte(3, 2)))
print(string.byte("\0\255"), string.byte("\0\255", 2))
print(string.char(72, 105), string.char(), #string.char(0, 0, 0))
local all = {}
for i = 0, 255 do all[#all + 1] = string.char(i) end
local allstr = table.concat(all)
print(#allstr)
local okround = true
for i = 1, 256 do
  if allstr:byte(i) ~= i - 1 then okround = false end
end
print("byte/char round trip", okround)
print(string.char(string.byte("round trip", 1, -1)))
print(pcall(function() return string.char(256) end))
print(pcall(function() return string.char(-1) end))
print(pcall(function() return string.char("x") end))
-- upper / lower
print(s:upper(), s:lower(), ("MiXeD 123 !?"):upper(), ("MiXeD 123 !?"):lower())
print(("\200abc"):upper():byte(1, -1))
-- method calls on string literals and numbers converted to strings
print(("abc"):len(), ("%d"):rep(2), (#"abc"))
local n = 12345
print(tostring(n):sub(2, 3), (n .. ""):len())
-- string functions accept numbers as strings
print(string.len(12345), string.upper(1.5), string.rep(7, 3), string.sub(123456, 2, 4))
print(string.byte(65), string.byte(1, 1))
-- # operator on strings with multibyte content
print(#"\u{20AC}", #"日本")
-- errors
print(pcall(function() return string.sub() end))
print(pcall(function() return string.sub("x", {}) end))
print(pcall(function() return string.upper(nil) end))
print(pcall(function() return ("x"):bad() end))
print(pcall(function() return #5 end))
print(pcall(function() local n = nil; return #n end))
print(pcall(function() return s:sub(1.5) end))
