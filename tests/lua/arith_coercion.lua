-- String <-> number coercions in arithmetic.
local function show(label, x) print(label, x, math.type(x)) end
show('"10"+1', "10" + 1)
show('"10"+1.0', "10" + 1.0)
show('"0x10"*1', "0x10" * 1)
show('"3.0"+1', "3.0" + 1)
show('" 5 "+0', " 5 " + 0)
show('"\\t7\\n"+0', "\t7\n" + 0)
show('"1e2"+0', "1e2" + 0)
show('"-2"^2', "-2" ^ 2)
show('-"2"', -"2")
show('-"2.5"', -"2.5")
show('"10"/"4"', "10" / "4")
show('"7"%"4"', "7" % "4")
show('"9"//"2"', "9" // "2")
show('"0x7fffffffffffffff"+0', "0x7fffffffffffffff" + 0)
show('"9223372036854775807"+0', "9223372036854775807" + 0)
show('"9223372036854775808"+0', "9223372036854775808" + 0)
show('"0xffffffffffffffff"+0', "0xffffffffffffffff" + 0)
show('"1"+"2"', "1" + "2")
show('"0x1p4"+0', "0x1p4" + 0)
show('"  0x10  "-1', "  0x10  " - 1)
show('"inf" check', pcall(function() return "inf" + 0 end))
show('"nan" check', pcall(function() return "nan" + 0 end))
-- failures (string metamethods produce these messages)
local bad = { "abc", "", " ", "1 2", "0x", "1e", "10a", "--1" }
for i = 1, #bad do
  local s = bad[i]
  local ok, err = pcall(function() return s + 1 end)
  print(string.format("%q", s), ok, err)
end
print(pcall(function() return "abc" + 1 end))
print(pcall(function() return 1 - "x" end))
print(pcall(function() return "x" * "y" end))
print(pcall(function() return "x" / 2 end))
print(pcall(function() return 2 % "x" end))
print(pcall(function() return "x" ^ 2 end))
print(pcall(function() return "x" // 2 end))
print(pcall(function() return -"x" end))
print(pcall(function() return {} + "1" end))
print(pcall(function() return "1" + {} end))
print(pcall(function() return "1" + nil end))
print(pcall(function() return true + "1" end))
-- numbers to strings in concatenation
print(1 .. "", 1.0 .. "", -0.0 .. "", 10 // 3 .. "", 2^63 .. "")
print(#tostring(12345), #(12.5 .. ""))
-- comparisons never coerce
print("10" == 10, 10 == "10", "1" ~= 1)
print(pcall(function() return 1 < "2" end))
print(pcall(function() return "1" <= 2 end))
-- tostring/tonumber round trips
for _, v in ipairs({ 0, -1, 2^53, 1e100, 0.1, -123.25, math.maxinteger, math.mininteger }) do
  local s = tostring(v)
  local back = tonumber(s)
  print(s, back, math.type(back), back == v)
end
