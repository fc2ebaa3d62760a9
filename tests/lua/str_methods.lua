-- Every string function called as a method, and method-call error messages.
local s = "Hello, World"
print(s:len(), s:upper(), s:lower(), s:reverse(), s:sub(1, 5), s:sub(-5))
print(s:byte(1), s:byte(-1), s:byte(1, 3))
print(("x"):rep(3), ("ab"):rep(3, "-"), ("%d-%s"):format(7, "x"))
print(s:find("World"), s:find("o", 6), s:find("%a+"), s:find(".", 1, true))
print(s:match("(%a+), (%a+)"))
print(s:gsub("o", "0"))
print(s:gsub("(%a+)", "<%1>", 1))
local words = {}
for w in s:gmatch("%a+") do words[#words + 1] = w end
print(table.concat(words, "|"))
print(("i4"):packsize(), ("<i4"):pack(7):byte(1, -1))
print(("<i2"):unpack("\1\2"))
print((""):len(), (""):upper(), (""):rep(5), (""):find(""), (""):match(".*"))
-- numbers do not have methods, but the functions accept them
print(string.rep(5, 2), string.upper(1e100), string.len(-0.0), string.reverse(123))
-- chained calls
print(("  trim me  "):gsub("^%s+", ""):gsub("%s+$", ""):upper())
print(("a,b,c"):gsub(",", ";"):len())
-- bad self
print(pcall(function() local t = setmetatable({}, {__index = string}) return t:upper() end))
print(pcall(function() local t = setmetatable({}, {__index = string}) return t:rep(2) end))
print(pcall(function() local t = setmetatable({}, {__index = string}) return t:find("x") end))
print(pcall(function() return s:rep() end))
print(pcall(function() return s:rep("x") end))
print(pcall(function() return s:sub() end))
print(pcall(function() return s:sub("a") end))
print(pcall(function() return s:byte({}) end))
print(pcall(function() return s:find() end))
print(pcall(function() return s:match(nil) end))
print(pcall(function() return s:gsub("x") end))
print(pcall(function() return s:gsub("x", true) end))
print(pcall(function() return s:gmatch() end))
print(pcall(function() return s:format() end))
print(pcall(function() return ("%d"):format("x") end))
print(pcall(function() return ("%d"):format() end))
print(pcall(function() return ("i4"):pack() end))
print(pcall(function() return ("i4"):unpack() end))
print(pcall(function() return s:char() end))
-- through the string metatable
local mt = getmetatable("")
print(mt.__index == string, rawequal(mt.__index.gsub, string.gsub))
-- functions called directly (not as methods) name the argument by position
print(pcall(string.rep))
print(pcall(string.upper))
print(pcall(string.find, "x"))
