-- Limits: 32 captures, the recursion limit ("pattern too complex"), big subjects, zeros.
local function try(...)
  local t = table.ocal t = table.pack(pcall(...))
  for i = 1, t.n do
    local v = t[i]
    t[i] = type(v) == "string" and (#v > 60 and ("<" .. #v .. " bytes>") or string.format("%q", v)) or tostring(v)
  end
  print(table.concat(t, " "))
end

try(st, string.rep("()", 32))
try(string.match, "a", string.rep("()", 33))
try(string.find, string.rep("x", 40), string.rep("(x)", 32))
try(string.find, string.rep("x", 40), string.rep("(x)", 33))
try(string.gsub, "abc", string.rep("()", 33), "")
-- recursion depth
local function f(size)
  local s = string.rep("a", size)
  local p = string.rep(".?", size)
  return pcall(string.match, s, p)
end
local r, m = f(80)
print(r, #m)
r, m = f(180)
print(r, #m)
print(f(250))
print(f(200000))
print(pcall(string.match, string.rep("@a", 10000), string.rep("a?", 10000) .. string.rep("a", 10000)))
print(pcall(string.find, string.rep("a", 300), string.rep("(a)", 30) .. string.rep("a?", 300)))
-- nested captures count against the limit too
print(pcall(string.match, string.rep("a", 300), string.rep("(", 150) .. string.rep(")", 150)))
-- big subjects with simple repetitions do not recurse
local a = string.rep("a", 300000)
print(string.find(a, "^a*.?$"))
print(string.find(a, "^a*.?b$"))
print(string.find(a, "^a-.?$"))
print(#string.match(a, "a+"))
print(select(2, string.gsub(a, "a", "b")))
print(#string.gsub(a, "aa", "a"))
a = string.rep("a", 10000) .. string.rep("b", 10000)
print(pcall(string.gsub, a, "b"))
print(string.find(a, "ab"))
print(string.find(a, "b+$"))
-- embedded zeros in patterns and subjects
print(string.match("ab\0\1\2c", "[\0-\2]+") == "\0\1\2")
print(string.find("b$a", "$\0?"))
print(string.find("abc\0efg", "%\0"))
print(string.match("abc\0\0\0", "%\0+") == "\0\0\0")
print(string.match("abc\0\0\0", "%\0%\0?") == "\0\0")
print(string.find("abc\0\0", "\0."))
print(string.find("abcx\0\0abc\0abc", "x\0\0abc\0a."))
print(string.find("a\0a\0a\0a\0\0ab", "\0ab", 2))
print(string.find("a\0a\0a\0a\0\0ab", "b\0"))
print(string.find("", "\0"))
print(string.gsub("a\0b\0c", "%z", "0"))
