-- The 5.4 init argument of gmatch, and matches at the end of the subject.
local function collect(s, p, init)
  local out = {}
  for a, b in string.gmatch(s, p, init) do
    out[#out + 1] = b and (tostring(a) .. ":" .. tostring(b)) or tostring(a)
  end
  return #out .. " [" .. table.concat(out, ",") .. "]"
end

print(collect("10 20 30", "%d+", 3))
print(collect("11 21 31", "%d+", -4))
print(collect("11 21 31", "%w*", 9))
print(collect("11 21 31", "%w*", 10))
print(collect("11 21 31", "%w*", 100))
print(collect("11 21 31", "%w*", 0))
print(collect("11 21 31", "%w*", -100))
print(collect("11 21 31", "%w*"))
print(collect("abc", "()", 2))
print(collect("abc", "()", 4))
print(collect("abc", "()", 5))
print(collect("abc", "()", -1))
print(collect("abc", ".", 2.0))
print(collect("abc", ".", "2"))
print(pcall(string.gmatch, "abc", ".", 1.5))
print(pcall(string.gmatch, "abc", ".", {}))
print(pcall(string.gmatch, "abc"))
print(pcall(string.gmatch))
print(collect("aaa", "a*"))
print(collect("baaac", "a*"))
print(collect("a b cd", " *"))
print(collect("hello world", "(o)()", 6))
print(collect("hello", "l", math.maxinteger))
print(collect("hello", "l", math.mininteger))
