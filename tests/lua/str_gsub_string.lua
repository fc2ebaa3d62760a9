-- gsub with replacement strings: %0-%9, %%, and numbers as replacements.
local function show(...)
  local t = table.pack(...)
  for i = 1, t.n do
    local v = t[i]
    t[i] = type(v) == "string" and string.format("%q", v) or tostring(v)
  end
  print(table.concat(t, " "))
end

show(string.gsub("hello world", "o", "0"))
show(string.gsub("hello world", "(o)", "[%1]"))
show(string.gsub("hello world", "o", "[%0]"))
show(string.gsub("hello world", "(%w+) (%w+)", "%2 %1"))
show(string.gsub("abc", "%w", "%1%0"))
show(string.gsub("abc", "%w+", "%0%1"))
show(string.gsub("abc=xyz", "(%w*)(%p)(%w+)", "%3%2%1-%0"))
show(string.gsub("alo alo", "()[al]", "%1"))
show(string.gsub("abc", "", "-"))
show(string.gsub("abc", ".", "%%"))
show(string.gsub("abc", ".", "%%%0%%"))
show(string.gsub("50%", "%%", " percent"))
show(string.gsub("hello", "", "%0"))
show(string.gsub("ülo ülo", "ü", "x"))
show(string.gsub("alo úlo  ", " +$", ""))
show(string.gsub("  alo alo  ", "^%s*(.-)%s*$", "%1"))
show(string.gsub("alo  alo  \n 123\n ", "%s+", " "))
show(string.gsub("áéí", "$", "\0óú"))
show(string.gsub("a b cd", " *", "-"))
show(string.gsub("abc", "b*", "X"))
show(string.gsub("abc", "b-", "X"))
show(string.gsub("", "", "X"))
show(string.gsub("", "x*", "X"))
show(string.gsub("hello", "l", ""))
show(string.gsub("hello", "x", "y"))
-- numbers as replacement values are converted to strings
show(string.gsub("abc", "b", 42))
show(string.gsub("abc", "b", 1.5))
show(string.gsub("abc", "b", 2^63))
show(string.gsub("abc", "b", -0.0))
-- numbers as subject and pattern
show(string.gsub(12321, 2, "x"))
show(string.gsub(1.5, "%.", ","))
show(math.type((string.gsub(123, "x", "y"))), type((string.gsub(123, "x", "y"))))
-- captures that are positions
show(string.gsub("abc", "()(.)", "%1%2"))
show(string.gsub("abc", "(.)()", "%2"))
-- replacement strings with embedded zeros and escapes
show(string.gsub("a.b", "%.", "\0"))
show(string.gsub("path/to/file", "/", "\\"))
show(("x"):rep(5):gsub("x", "%0%0"))
