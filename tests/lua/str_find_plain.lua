-- string.find with plain substrings: the plain flag, patterns without specials, init.
local function show(...)
  local t = table.pack(...)
  for i = 1, t.n do
    local v = t[i]
    t[i] = type(v) == "string" and string.format("%q", v) or tostring(v)
  end
  print(table.concat(t, " "))
end

local s = "the quick brown fox jumps over the lazy dog"
show(string.find(s, "the"))
show(string.find(s, "the", 2))
show(string.find(s, "the", 32))
show(string.find(s, "the", 33))
show(string.find(s, "dog"))
show(string.find(s, "cat"))
show(string.find(s, ""))
show(string.find(s, "", 10))
show(string.find(s, "", #s + 1))
show(string.find(s, "", #s + 2))
show(string.find("", ""))
show(string.find("", "a"))
show(string.find("aaa", "aa"))
show(string.find("aaa", "aa", 2))
show(string.find("aaa", "aa", 3))
show(string.find("ababab", "bab"))
show(string.find("mississippi", "issip"))
show(string.find("mississippi", "ssi", 5))
-- specials taken literally with the plain flag
show(string.find("a.b.c", ".", 1, true))
show(string.find("a+b", "+", 1, true))
show(string.find("50% off", "%", 1, true))
show(string.find("f(x)", "(x)", 1, true))
show(string.find("[tag]", "[tag]", 1, true))
show(string.find("^start", "^start", 1, true))
show(string.find("end$", "end$", 1, true))
show(string.find("a*b?c-d", "*b?c-", 1, true))
-- the plain flag is any true value; false/nil mean patterns
show(string.find("a.b", ".", 1, 1))
show(string.find("a.b", ".", 1, "yes"))
show(string.find("a.b", ".", 1, false))
show(string.find("a.b", ".", 1, nil))
-- ']' and ')' are not specials: searched plainly
show(string.find("x]y", "]"))
show(string.find("a)b", "a)"))
-- embedded zeros
show(string.find("a\0b\0c", "\0"))
show(string.find("a\0b\0c", "\0c"))
show(string.find("a\0b\0c", "b\0", 1, true))
show(string.find("abc", "\0"))
-- numbers are converted
show(string.find(123456, 34))
show(string.find(1.25, "."))
show(string.find(1.25, ".", 1, true))
-- longer needles
local long = string.rep("ab", 500) .. "needle" .. string.rep("ba", 500)
show(string.find(long, "needle"))
show(string.find(long, "needles"))
show(string.find(long, "abneedleba"))
