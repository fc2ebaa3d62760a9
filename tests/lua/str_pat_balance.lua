-- %b: balanced matches with any pair of delimiters.
local function show(...)
  local t = table.pack(...)
  for i = 1, t.n do
    local v = t[i]
    t[i] = type(v) == "string" and string.format("%q", v) or tostring(v)
  end
  print(table.concat(t, " "))
end

show(string.match("x(a(b)c)d", "%b()"))
show(string.match("x(a(b)c", "%b()"))
show(string.match("((()))", "%b()"))
show(string.match(")(", "%b()"))
show(string.find("f(a, g(b, c), d) + h(e)", "%b()"))
show(string.gsub("f(a, g(b, c), d) + h(e)", "%b()", "(...)"))
show(string.match("alo 'oi' alo", "%b''"))
show(string.gsub("alo 'oi' alo 'x'", "%b''", '"'))
show(string.match("{a{b}c}{d}", "%b{}"))
show(string.match("[[x]]", "%b[]"))
show(string.match("<<a><b>>", "%b<>"))
show(string.match("if a then if b then end end end", "%bie"))
show(string.match("abc\0efg\0\1e\1g", "%b\0\1"))
show(string.match("xx", "%bxx"))
show(string.match("x(y)z", "x%b()z"))
show(string.match("x(y)z", "(%b())"))
show(string.match("begin (a (b) c) end", "(%w+) (%b())"))
local function isbalanced(s)
  return not string.find(string.gsub(s, "%b()", ""), "[()]")
end
show(isbalanced("(9 ((8))(\0) 7) \0\0 a b ()(c)() a"))
show(isbalanced("(9 ((8) 7) a b (\0 c) a"))
show(isbalanced("()()()"))
show(isbalanced(")("))
for m in string.gmatch("(a)(b(c))((d))", "%b()") do show(m) end
show(pcall(string.find, "a", "%b"))
show(pcall(string.find, "a", "%ba"))
show(pcall(string.find, "a", "x%b"))
show(string.match("(", "%b(("))
