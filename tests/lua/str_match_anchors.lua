-- Anchors '^' and '$', and where they are literal characters.
local function show(...)
  local t = table.pack(...)
  for i = 1, t.n do
    local v = t[i]
    t[i] = type(v) == "string" and string.format("%q", v) or tostring(v)
  end
  print(table.concat(t, " "))
end

show(string.find("alo123alo", "12"))
show(string.find("alo123alo", "^12"))
show(string.find("123alo", "^12"))
show(string.find("alo", "^"))
show(string.find("alo", "$"))
show(string.find("alo", "^$"))
show(string.find("", "^$"))
show(string.match("a$a", ".$"))
show(string.match("a$a", ".%$"))
show(string.match("a$a", ".$."))
show(string.match("a$a", "$$"))
show(string.match("a$b", "a$"))
show(string.match("a$a", "$"))
show(string.match("a^b", "a^b"))
show(string.match("a^b", "^a^b"))
show(string.match("^x", "^^x"))
show(string.match("x^", "x^$"))
show(string.match("aaa", "^.*$"))
show(string.match("aaa", "^.-$"))
show(string.match("aaa", "^a-$"))
show(string.match("line1\nline2", "^(.-)\n"))
show(string.match("line1\nline2", "([^\n]*)$"))
-- anchored gsub replaces at most once
show(string.gsub("aaa", "^a", "b"))
show(string.gsub("aaa", "^a*", "b"))
show(string.gsub("aaa", "a$", "b"))
show(string.gsub("", "^", "r"))
show(string.gsub("", "$", "r"))
show(string.gsub("abc", "^", ">"))
show(string.gsub("abc", "$", "<"))
show(string.gsub("abc", "^$", "x"))
-- gmatch does not treat '^' as an anchor
local out = {}
for m in string.gmatch("^a^b^c", "^%a") do out[#out + 1] = m end
show(table.concat(out, ","))
-- anchored with init
show(string.find("xxabc", "^abc", 3))
show(string.find("xxabc", "^abc", 2))
show(string.match("xxabc", "^(%a)", -3))
