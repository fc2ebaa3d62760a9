-- goto and labels.
-- continue-style goto
local odds = {}
for i = 1, 10 do
  if i % 2 == 0 then goto continue end
  odds[#odds + 1] = i
  ::continue::
end
print(table.concat(odds, " "))
-- continue in while and repeat
local i, out = 0, {}
while i < 10 do
  i = i + 1
  if i % 3 ~= 0 then goto cont end
  out[#out + 1] = i
  ::cont::
end
print(table.concat(out, " "))
-- breaking out of nested loops
local found
for a = 1, 10 do
  for b = 1, 10 do
    if a * b == 42 then found = a .. "x" .. b; goto done end
  end
end
::done::
print("found", found)
-- backward goto implements a loop
local n = 0
::top::
n = n + 1
if n < 5 then goto top end
print("looped to", n)
-- backward goto with a local declared inside: each pass gets a fresh local
local closures = {}
do
  local k = 1
  ::again::
  local captured = k * 10
  closures[#closures + 1] = function() return captured end
  k = k + 1
  if k <= 3 then goto again end
end
print(closures[1](), closures[2](), closures[3]())
-- label at end of block is allowed even with locals before it
do
  local x = 1
  if x == 1 then goto finish end
  local y = 2
  print("skipped", y)
  ::finish::
end
print("after block")
-- goto forward skipping code
do
  goto skip
  print("this is skipped")
  ::skip::
  print("landed at skip")
end
-- labels with same name in different functions/blocks
local function f()
  do goto l1 end
  ::l1::
  do
    goto l2
    ::l2::
  end
  return "nested labels ok"
end
print(f())
-- state machine with goto
local function machine(input)
  local pos, outp = 1, {}
  ::state_a::
  if pos > #input then goto finish end
  if input:sub(pos, pos) == "a" then outp[#outp + 1] = "A"; pos = pos + 1; goto state_a end
  goto state_b
  ::state_b::
  if pos > #input then goto finish end
  outp[#outp + 1] = "<" .. input:sub(pos, pos) .. ">"
  pos = pos + 1
  goto state_a
  ::finish::
  return table.concat(outp)
end
print(machine("aabcaad"))
-- goto out of a loop that has closures capturing the loop variable
local saved = {}
for j = 1, 5 do
  saved[#saved + 1] = function() return j end
  if j == 3 then goto out end
end
::out::
print(#saved, saved[1](), saved[3]())
-- repeat-until with continue label before until
local r, rs = 0, {}
repeat
  r = r + 1
  if r == 2 then goto next_iter end
  rs[#rs + 1] = r
  ::next_iter::
until r >= 4
print(table.concat(rs, " "))
