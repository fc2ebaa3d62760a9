-- Long brackets: strings and comments with various levels.
local function show(s)
  local parts = {}
  for i = 1, #s do parts[#parts + 1] = string.byte(s, i) end
  print(#s, table.concat(parts, ","))
end

local a = [[hello]]
print(a, #a)
local b = [==[with ]] and ]=] inside]==]
print(b)
local c = [[
first newline is skipped]]
print(c)
local d = [[

two newlines, only first skipped]]
show(d:sub(1, 3))
print(d)
local e = [=[
line1
line2
]=]
print(#e)
show(e)
-- no escapes are processed inside long strings
local f = [[a\nb\tc\\d]]
print(f, #f)
-- level 3 containing level 2 closer
local g = [===[x]==]y]===]
print(g)
-- empty long string
local h = [[]]
print(#h, h == "")
local h2 = [==[]==]
print(#h2)
-- CR LF handling: \r\n in source becomes \n
local src = "return [[a\r\nb]]"
local r = load(src)()
show(r)
local src2 = "return [[\r\nx]]"
show(load(src2)())
local src3 = "return [[a\n\rb]]"
show(load(src3)())
local src4 = "return [[a\r\rb]]"
show(load(src4)())

--[[ a long comment
print("this must not print")
]]
print("after long comment")
--[==[
print("not printed either") ]] still comment
]==]
print("after level-2 comment")
---[[ this is a line comment, so the next line runs
print("runs because comment is a line comment")
--]]
--[=[ ]] ]=] print("same line after comment end")
-- comment at end of line
local x = 1 -- trailing comment
print(x)
print([[
]] == "")
print(#[[

]])
print([[a]] .. [==[b]==] .. [=[c]=])
-- long string as function argument
print(#[[abc]], ([[xyz]]):upper())
