-- String comparison and coercion in concatenation/comparison.
print("10" < "9", "10" > "9", "abc" < "abd", "abc" < "abcd", "" < " ")
print("a" < "B", "B" < "a", "Z" < "a", "z" > "Z")
print("1" == 1, "1" ~= 1, 1 .. "" == "1", 1.0 .. "" == "1.0")
print(10 .. "" < "9", tostring(10) < tostring(9))
print(pcall(function() return 10 < "9" end))
print(pcall(function() return "10" < 9 end))
print(pcall(function() return "10" <= 9 end))
print(pcall(function() return 10 >= "9" end))
print(pcall(function() local a, b = 1, "x"; return a > b end))
-- sorting strings with a hand-written insertion sort uses < on strings
local words = { "pear", "Apple", "banana", "apple", "10", "9", "", "b", "ba", "a\0", "a" }
for i = 2, #words do
  local v = words[i]
  local j = i - 1
  while j >= 1 and words[j] > v do
    words[j + 1] = words[j]
    j = j - 1
  end
  words[j + 1] = v
end
for i = 1, #words do print(i, string.format("%q", words[i])) end
-- numbers become strings in concatenation, strings become numbers in arithmetic
local x = "5"
print(x + 1, x .. 1, x * "2", (x .. x) + 0, -x)
print(("7" + 0) == 7, ("7" .. "") == "7")
print(math.type("2" * 3), math.type("2.0" * 3), math.type("2" / 1))
-- equality never converts
local t = {}
t["1"] = "string key"
t[1] = "integer key"
print(t["1"], t[1], t[1.0])
