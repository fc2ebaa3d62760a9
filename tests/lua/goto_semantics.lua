-- goto: continue idiom, nested breaks, backward jumps with fresh locals, labels at block end.
for i = 1, 5 do
  if i % 2 == 0 then goto continue end
  io.write(i, " ")
  ::continue::
end
print()
for i = 1, 3 do
  for j = 1, 3 do
    if j == 2 then goto next_i end
    if i == 3 then goto done end
    io.write(i, ",", j, " ")
  end
  ::next_i::
end
::done::
print()
-- each pass through a backward goto creates a fresh local for closures
local fns = {}
do
  local k = 1
  ::top::
  local captured = k
  fns[#fns + 1] = function() return captured end
  k = k + 1
  if k <= 3 then goto top end
end
print(fns[1](), fns[2](), fns[3]())
-- goto out of nested blocks and loops
local function find(t, x)
  for i, row in ipairs(t) do
    for j, v in ipairs(row) do
      if v == x then
        goto found
      end
    end
  end
  do return nil end
  ::found::
  return "found " .. x
end
print(find({ { 1, 2 }, { 3, 4 } }, 3), find({ { 1 } }, 9))
-- a label at the end of a block may follow local declarations (void statement rule)
do
  goto e
  local skipped = 1
  ::e::
end
-- while loop emulated with goto
local n = 0
::loop::
n = n + 1
if n < 10 then goto loop end
print(n)
-- label visibility rules, as compile errors
local function compile(src)
  local f, e = load(src)
  print(f and "ok" or e)
end
compile("goto nowhere")
compile("do ::a:: end goto a")
compile("::a:: ::a::")
compile("::a:: do ::a:: end")
compile("goto f; local x; ::f:: print(x)")
compile("do goto f; local x; ::f:: end")
compile("repeat local x; goto cont; ::cont:: until x")
compile("for i = 1, 2 do goto l end ::l::")
compile("local function f() goto out end ::out::")
compile("break")
compile("if x then break end")
compile("while true do local function f() break end end")
compile("::l1:: ::l2:: goto l1")
