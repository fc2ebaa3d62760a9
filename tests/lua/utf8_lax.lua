-- utf8 functions in lax mode: surrogates and code points up to 2^31-1.
local function hex(s) return (s:gsub(".", function(c) return string.format("%02X", c:byte()) end)) end
print(hex(utf8.char(0xD800)), hex(utf8.char(0x110000)), hex(utf8.char(0x7FFFFFFF)), hex(utf8.char(0x3FFFFFF)))
print(pcall(utf8.char, 0x80000000))
print(pcall(utf8.char, -1))
local sur = utf8.char(0xD800)
local big = utf8.char(0x7FFFFFFF)
print(utf8.len(sur), utf8.len(sur, 1, -1, true))
print(utf8.len(big), utf8.len(big, 1, -1, true))
print(pcall(utf8.codepoint, sur))
print(utf8.codepoint(sur, 1, 1, true), utf8.codepoint(big, 1, 1, true))
print(pcall(utf8.codepoint, big))
local strict, lax = {}, {}
print(pcall(function() for p, c in utf8.codes("a" .. sur .. "b") do strict[#strict + 1] = c end end))
for p, c in utf8.codes("a" .. sur .. big .. "b", true) do lax[#lax + 1] = p .. ":" .. c end
print(table.concat(lax, " "))
print(utf8.offset(big .. "x", 2), utf8.offset("x" .. big, -1))
-- overlong encodings are invalid even in lax mode
print(utf8.len("\xC0\x80", 1, -1, true), utf8.len("\xE0\x80\x80", 1, -1, true))
print(utf8.len("\xF4\x90\x80\x80"), utf8.len("\xF4\x90\x80\x80", 1, -1, true))
print(utf8.charpattern == "[\0-\x7F\xC2-\xFD][\x80-\xBF]*")
