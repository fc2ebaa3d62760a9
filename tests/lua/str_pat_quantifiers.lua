-- Quantifiers '*', '+', '-', '?': greedy, lazy, optional; on classes and sets.
local function f(s, p)
  local i, e = string.find(s, p)
  if i then return string.format("%q", string.sub(s, i, e)) .. " @" .. i end
  return "nil"
end
local cases = {
  {"aaab", "a*"}, {"aaa", "^.*$"}, {"aaa", "b*"}, {"aaa", "ab*a"}, {"aba", "ab*a"},
  {"aaab", "a+"}, {"aaa", "^.+$"}, {"aaa", "b+"}, {"aaa", "ab+a"}, {"aba", "ab+a"},
  {"", "b*"}, {"aaa", "bb*"}, {"aaab", "a-"}, {"aaa", "^.-$"},
  {"aabaaabaaabaaaba", "b.*b"}, {"aabaaabaaabaaaba", "b.-b"},
  {"alo xo", ".o$"}, {" \n isto é assim", "%S%S*"}, {" \n isto é assim", "%S*$"},
  {" \n isto é assim", "[a-z]*$"}, {"um caracter ? extra", "[^%sa-z]"},
  {"", "a?"}, {"aa", "^aa?a?a"}, {"0alo alo", "%x*"}, {"alo alo", "%C+"},
  {"aaab", ".*b"}, {"aaa", ".*a"}, {"b", ".*b"}, {"aaab", ".+b"}, {"aaa", ".+a"}, {"b", ".+b"},
  {"aaab", ".?b"}, {"aaa", ".?a"}, {"b", ".?b"}, {"aloALO", "%l*"}, {"aLo_ALO", "%a*"},
  {"  \n\r*&\n\r   xuxu  \n\n", "%g%g%g+"}, {"color colour", "colou?r"},
  {"<a><b>", "<.->"}, {"<a><b>", "<.*>"}, {"<a><b>", "<[^>]*>"},
  {"x = 10", "%s*=%s*"}, {"--comment", "%-%-+"}, {"a-b", "a%-?b"}, {"ab", "a%-?b"},
  {"12.5e-3", "%d+%.?%d*[eE]?[-+]?%d*"}, {"abc", "[abc]-c"}, {"abc", "[abc]*c"},
  {"aaa", "a-a"}, {"aaa", "a*a"}, {"aaa", "a+a"}, {"aaa", "a?a"}, {"a", "a?a"},
  {"xyz", "x?y?z?w?"}, {"", ".-"}, {"abc", ".-b"},
}
for i, c in ipairs(cases) do
  print(i, string.format("%q", c[1]), string.format("%q", c[2]), f(c[1], c[2]))
end
-- quantifier characters alone or doubled
print(pcall(string.find, "a*", "*"))
print(pcall(string.find, "a+", "+a"))
print(string.find("a**", "a**"))
print(string.find("a-", "a--"))
print(string.find("?", "??"))
