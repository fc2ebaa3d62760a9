-- Comparisons between integers and floats (exact, no rounding through double).
print(1 == 1.0, 1 < 1.5, 2 > 1.5, -1 < -0.5, 0 == -0.0)
print(math.maxinteger + 0.0 == math.maxinteger)
print(math.maxinteger + 0.0 == 2^63, math.maxinteger < 2^63, math.maxinteger <= 2^63)
print(math.mininteger + 0.0 == math.mininteger, math.mininteger == -2^63)
print(math.mininteger < -2^63, math.mininteger <= -2^63)
print(2^53 == 2^53 + 1, (2^53 | 0) + 1 == 2^53, (2^53 | 0) + 1 > 2^53)
print(9007199254740993 == 2^53, 9007199254740993 > 2^53, 9007199254740993 < 2^53 + 2)
print(9007199254740992 == 2^53, 9007199254740992 >= 2^53)
print(math.maxinteger < math.huge, math.mininteger > -math.huge)
print(1 < 0/0, 1 > 0/0, 1 == 0/0, 1 ~= 0/0, 0/0 == 0/0)
print(math.maxinteger < 0/0, math.maxinteger >= 0/0)
print(1.5 > 1, 1.5 < 2, 2 >= 2.0, 2 <= 2.0, 3 ~= 3.0000000000000004)
print(-0.0 < 0.0, -0.0 <= 0.0, 0.0 >= -0.0)
print(math.maxinteger - 1 < math.maxinteger + 0.0, math.maxinteger - 1 == math.maxinteger + 0.0)
print(2^63 > math.maxinteger, -2^63 >= math.mininteger, -2^63 > math.mininteger)
print(-2^64 < math.mininteger, 2^64 > math.maxinteger)
-- equality of different types is always false
print(1 == "1", nil == false, 0 == false, "" == false)
-- strings compare bytewise
print("a" < "b", "a" < "ab", "ab" < "b", "" < "a", "Z" < "a", "10" < "9")
print("abc" <= "abc", "abc" >= "abd", "a\0b" < "a\0c", "a\0" > "a")
print("\255" > "\127", "A" < "a")
-- comparing tables/functions by identity
local t1, t2 = {}, {}
print(t1 == t1, t1 == t2, t1 ~= t2)
local f = function() end
print(f == f, f == function() end)
-- mixed-type ordering errors
print(pcall(function() return 1 < "2" end))
print(pcall(function() return {} < {} end))
print(pcall(function() return nil < 1 end))
print(pcall(function() return true <= false end))
print(pcall(function() return "a" >= 1 end))
print(pcall(function() return f > f end))
-- max/min with mixed subtypes
print(math.max(1, 1.0), math.max(1.0, 1), math.min(-0.0, 0), math.max(2^53, 2^53 | 0))
