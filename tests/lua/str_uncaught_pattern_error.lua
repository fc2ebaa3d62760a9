-- An uncaught pattern error ends the program with the message and status 1.
print(string.find("abc", "b"))
print(string.gsub("abc", "%w", "%0%0"))
local function parse(s)
  return s:match("^(%w+)=[")
end
print(parse("x=1"))
