-- string.gmatch: words, captures, position captures, iterator behaviour.
local function show(...)
  local t = table.pack(...)
  for i = 1, t.n do
    local v = t[i]
    t[i] = type(v) == "string" and string.format("%q", v) or tostring(v)
  end
  print(table.concat(t, " "))
end

for w in string.gmatch("one two  three\tfour", "%a+") do show(w) end
for k, v in string.gmatch("a=1, b=22, ccc=333", "(%w+)=(%w+)") do show(k, v) end
for p in string.gmatch("abcde", "()") do show(p) end
for a, b in string.gmatch("abcd", "()(.)") do show(a, b) end
local t = {}
for i, j in string.gmatch("13 14 10 = 11, 15= 16, 22=23", "(%d+)%s*=%s*(%d+)") do
  t[#t + 1] = i .. "->" .. j
end
show(table.concat(t, " "))
-- empty matches advance one position
local res, sub, i = "", "a  \nbc\t\td", 1
for p, e in string.gmatch(sub, "()%s*()") do
  res = res .. string.sub(sub, i, p - 1) .. "-"
  i = e
end
show(res)
local n = 0
for _ in string.gmatch("", "") do n = n + 1 end
show("empty/empty", n)
n = 0
for _ in string.gmatch("abc", "") do n = n + 1 end
show("abc/empty", n)
n = 0
for m in string.gmatch("abc", "x*") do n = n + 1; show(m) end
show(n)
-- the iterator is a plain function; after the end it keeps returning nothing
local it = string.gmatch("a1b2", "%a(%d)")
show(type(it))
show(it())
show(it())
show(it())
show(it())
-- lines
for line in string.gmatch("first\nsecond\n\nfourth", "([^\n]*)\n?") do show(line) end
-- CSV fields
for field in string.gmatch("a,,b,c", "([^,]*)") do show(field) end
-- method form and numbers as subjects
for d in string.gmatch(2024, "%d") do show(d) end
for w in ("Hello World"):gmatch("%u") do show(w) end
-- a capture with the whole match
for all, first in string.gmatch("ab cd", "((%a)%a)") do show(all, first) end
