-- Back-references %1-%9 inside patterns.
local function show(...)
  local t = table.pack(...)
  for i = 1, t.n do
    local v = t[i]
    t[i] = type(v) == "string" and string.format("%q", v) or tostring(v)
  end
  print(table.concat(t, " "))
end

show(string.match("xuxx uu ppar r", "(.)%1"))
show(string.find("xuxx uu ppar r", "()(.)%2"))
local t = {}
for i in string.gmatch("xuxx uu ppar r", "()(.)%2") do t[#t + 1] = i end
show(table.concat(t, ","))
show(string.match([[say "hi" and 'bye']], "([\"'])(.-)%1"))
show(string.match([[say 'it"s' ok]], "([\"'])(.-)%1"))
show(string.match("==========", "^([=]*)=%1$"))
show(string.match("=======", "^(=*)=%1$"))
show(string.match("alo alx 123 b\0o b\0o", "(..*) %1"))
show(string.match("axz123= 4= 4 34", "(.+)=(.*)=%2 %1"))
show(string.match("abcabc", "^(%a+)%1$"))
show(string.match("abcabd", "^(%a+)%1$"))
show(string.match("[==[long]==]", "%[(=*)%[(.-)%]%1%]"))
show(string.match("[=[a]]b]=]", "%[(=*)%[(.-)%]%1%]"))
show(string.match("aa", "(a)%1"))
show(string.match("ab", "(a)%1"))
show(string.match("abab", "(a)(b)%1%2"))
show(string.match("aXbXc", "a(.)b%1c"))
-- a position capture never matches as a back-reference
show(string.match("aa", "()%1"))
-- references to missing or open captures are errors
show(pcall(string.match, "aa", "(a)%2"))
show(pcall(string.match, "aa", "(a%1)"))
show(pcall(string.match, "aa", "%1"))
show(pcall(string.match, "aa", "%0"))
show(pcall(string.match, "aa", "(a)%9"))
-- nine captures and %9
show(string.match("abcdefghii", "(.)(.)(.)(.)(.)(.)(.)(.)(.)%9"))
