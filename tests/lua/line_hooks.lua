-- Line hooks see PUC Lua's lines: an `if` tests its condition on the line of `then`, a
-- function value is made on the line of its `end`, and a chunk's implicit final return is on
-- the line of its last token (not the line after the final newline).
local cases = {
[[if
math.sin(1)
then
  a=1
else
  a=2
end
]],
[[
local function foo()
end
foo()
A = 1
A = 2
A = 3
]],
[[--
if nil then
  a=1
else
  a=2
end
]],
[[a=1
repeat
  a=a+1
until a==3
]],
[[ do
  return
end
]],
[[local a
a=1
while a<=3 do
  a=a+1
end
]],
[[while math.sin(1) do
  if math.sin(1)
  then break
  end
end
a=1]],
[[for i=1,3 do
  a=i
end
]],
[[for i,v in pairs{'a','b'} do
  a=tostring(i) .. v
end
]],
[[for i=1,4 do a=1 end]],
}
for i, s in ipairs(cases) do
  local l = {}
  local f = load(s)
  debug.sethook(function(e, line) l[#l+1] = line end, "l"); f(); debug.sethook()
  print(i, table.concat(l, ","))
end

print(debug.getinfo(1, "S").linedefined, debug.getinfo(1, "S").lastlinedefined)
print(debug.getinfo(load("return 1\n\n\n"), "S").lastlinedefined)
local f = load("local x = 1\nlocal g = function()\nend\n-- trailing comment\n\n")
local l = {}
debug.sethook(function(e, line) l[#l + 1] = line end, "l"); f(); debug.sethook()
print(table.concat(l, ","))
