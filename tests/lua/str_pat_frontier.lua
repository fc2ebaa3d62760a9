-- %f frontier patterns.
local function show(...)
  local t = table.pack(...)
  for i = 1, t.n do
    local v = t[i]
    t[i] = type(v) == "string" and string.format("%q", v) or tostring(v)
  end
  print(table.concat(t, " "))
end

show(string.gsub("aaa aa a aaa a", "%f[%w]a", "x"))
show(string.gsub("[[]] [][] [[[[", "%f[[].", "x"))
show(string.gsub("01abc45de3", "%f[%d]", "."))
show(string.gsub("01abc45 de3x", "%f[%D]%w", "."))
show(string.gsub("function", "%f[\1-\255]%w", "."))
show(string.gsub("function", "%f[^\1-\255]", "."))
show(string.find("a", "%f[a]"))
show(string.find("a", "%f[^%z]"))
show(string.find("a", "%f[^%l]"))
show(string.find("aba", "%f[a%z]"))
show(string.find("aba", "%f[%z]"))
show(string.find("aba", "%f[%l%z]"))
show(string.find("aba", "%f[^%l%z]"))
show(string.find(" alo aalo allo", "%f[%S].-%f[%s].-%f[%S]"))
show(string.match(" alo aalo allo", "%f[%S](.-%f[%s].-%f[%S])"))
local pos = {}
for k in string.gmatch("alo alo th02 is 1hat", "()%f[%w%d]") do pos[#pos + 1] = k end
show(table.concat(pos, ","))
-- whole words
show(string.gsub("the cat in the hat thereafter", "%f[%a]the%f[%A]", "THE"))
local words = {}
for w in string.gmatch("THE (quick) fox", "%f[%a]%a+") do words[#words + 1] = w end
show(table.concat(words, "|"))
show(string.find("hello", "%f[%a]"))
show(string.find("hello", "%f[%A]"))
show(string.find("", "%f[%z]"))
show(string.find("", "%f[^%z]"))
show(pcall(string.find, "a", "%f"))
show(pcall(string.find, "a", "%fa"))
show(pcall(string.find, "a", "%f[a"))
