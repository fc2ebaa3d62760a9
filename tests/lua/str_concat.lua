-- Concatenation with strings and numbers.
print(1 .. 2, 1 .. "", 1.5 .. "", 2^63 .. "", -0.0 .. "x", 10 .. 20 .. 30)
print("a" .. "b" .. "c" .. 1 .. 2.0)
print(math.type(1 .. 2), type(1 .. 2))
print(math.mininteger .. "", math.maxinteger .. "|", 1e100 .. "", (1/0) .. "", (-1/0) .. "")
print("" .. "", #("" .. ""), ("x"):rep(3) .. ("y"):rep(2))
-- right associativity and mixing with arithmetic precedence
print("n=" .. 1 + 2, "m=" .. 2 * 3 .. "!", 2 .. 3 + 1)
local parts = {}
for i = 1, 10 do parts[#parts + 1] = i end
print(table.concat(parts))
local s = ""
for i = 1, 10 do s = s .. i .. (i < 10 and "," or "") end
print(s)
-- long chains
local a, b, c, d, e = "a", "b", "c", "d", "e"
print(a .. b .. c .. d .. e .. a .. b .. c .. d .. e)
-- concatenating numbers with strings containing numbers
print("10" .. 1, ("10" .. 1) + 1)
-- embedded zeros
local z = "a\0b" .. "\0c"
print(#z, z:byte(1, -1))
-- errors
print(pcall(function() return "a" .. nil end))
print(pcall(function() return "a" .. {} end))
print(pcall(function() return true .. "a" end))
print(pcall(function() local t = {} return t .. "x" end))
print(pcall(function() local t = {x = {}} return "x" .. t.x end))
print(pcall(function() return "a" .. print end))
print(pcall(function() return 1 .. false end))
-- building long strings
local big = ("ab"):rep(1000)
print(#big, big:sub(1, 6), big:sub(-4))
local big2 = big .. big
print(#big2)
