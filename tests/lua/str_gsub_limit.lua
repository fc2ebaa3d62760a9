-- The maximum-replacements argument of gsub, and how empty matches interleave.
local function show(...)
  local t = table.pack(...)
  for i = 1, t.n do
    local v = t[i]
    t[i] = type(v) == "string" and string.format("%q", v) or tostring(v)
  end
  print(table.concat(t, " "))
end

for _, n in ipairs({-1, 0, 1, 2, 3, 4, 100}) do
  show(n, string.gsub("a a a", "a", "b", n))
  show(n, string.gsub("abc", "", "-", n))
end
show(string.gsub("abçd", "(.)", "%0@", 2))
show(string.gsub("hello world", "o", "0", 1.0))
show(string.gsub("hello world", "o", "0", "1"))
show(pcall(string.gsub, "hello world", "o", "0", 1.5))
show(pcall(string.gsub, "hello world", "o", "0", "x"))
show(string.gsub("hello world", "o", "0", nil))
show(string.gsub("hello world", "o", "0", math.maxinteger))
show(string.gsub("hello world", "o", "0", math.mininteger))
show(string.gsub("first second word", "%w+", function(w) return w:upper() end, 2))
-- empty matches after a non-empty match at the same position are skipped
show(string.gsub("abc", "%w*", "X"))
show(string.gsub("abc d", "%w*", "X"))
show(string.gsub("a.b", "%a*", "<%0>"))
show(string.gsub(";;a;;", ";*", "|"))
show(string.gsub("hello", "l*", "L"))
show(string.gsub("hello", "x*", "-"))
show(string.gsub("aaa", "a-", "-"))
