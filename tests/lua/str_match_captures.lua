-- Captures: nesting, order, position captures, empty captures, 32 captures.
local function show(...)
  local t = table.pack(...)
  for i = 1, t.n do
    local v = t[i]
    t[i] = type(v) == "string" and string.format("%q", v) or tostring(v)
  end
  print(table.concat(t, " "))
end

show(string.match("abcd", "((a)(b)((c)(d)))"))
show(string.match("abcd", "()a()b()c()d()"))
show(string.match("hello", "()ll()"))
show(string.match("hello", "()"))
show(string.match("hello", "()", 3))
show(string.match("hello", "(h)()(e)"))
show(string.match("hello", "(x*)"))
show(string.match("hello", "(x*)()"))
show(string.find("hello", "(l)(l)"))
show(string.find("hello", "()(l+)()"))
show(string.find("hello", "l+"))
show(string.match("0123456789", "(.+(.?)())"))
show(string.match("âlo alo", "^(((..).). (%w*))$"))
local caps = string.rep("(.)", 32)
show(string.match(string.rep("x", 40), caps))
show(select("#", string.match(string.rep("ab", 20), caps)))
show(string.match("a", string.rep("()", 32)))
-- captures of different lengths
show(string.match("key: some value here", "(%w+):%s*(.*)"))
show(string.match("a,b;c", "(%a)([,;])(%a)([,;])(%a)"))
-- position capture values are integers
local p = string.match("abc", "()c")
show(p, math.type(p))
-- find returns positions then captures
show(string.find("  name = Lua", "(%w+)%s*=%s*(%w+)"))
show(string.find("abc", "(b)"))
show(string.find("abc", "()"))
