-- if/elseif/else, while, repeat-until.
local function classify(n)
  if n < 0 then return "negative"
  elseif n == 0 then return "zero"
  elseif n < 10 then return "small"
  elseif n < 100 then return "medium"
  else return "large" end
end
for _, n in ipairs({ -5, 0, 3, 42, 1000 }) do print(n, classify(n)) end
-- truthiness: only nil and false are falsy
local vals = { 0, "", "false", {}, false, nil }
for i = 1, 6 do
  if vals[i] then print(i, "truthy") else print(i, "falsy") end
end
-- and/or short-circuit and values
print(nil or "default", false or nil, 0 and "zero is true", nil and error("never"))
print(1 and 2 or 3, nil and 2 or 3, false ~= nil, not nil, not 0)
print(1 or error("not evaluated"), false and error("not evaluated"))
-- while
local i, acc = 1, {}
while i <= 5 do acc[#acc + 1] = i; i = i + 1 end
print(table.concat(acc, " "))
while false do print("never") end
-- while with break
local n = 0
while true do
  n = n + 1
  if n >= 7 then break end
end
print("broke at", n)
-- repeat-until: the condition sees locals of the body
local k = 0
repeat
  local doubled = k * 2
  k = k + 1
until doubled >= 10
print("repeat ended with k =", k)
-- repeat runs at least once
local ran = 0
repeat ran = ran + 1 until true
print("ran", ran)
-- repeat with break
local r = 0
repeat
  r = r + 1
  if r == 3 then break end
until false
print("r =", r)
-- nested loops with break only leaving the innermost
local pairs_found = {}
for a = 1, 4 do
  for b = 1, 4 do
    if b > a then break end
    if (a + b) % 3 == 0 then pairs_found[#pairs_found + 1] = a .. "+" .. b end
  end
end
print(table.concat(pairs_found, " "))
-- closures in repeat body capturing body locals, used in until
local fns = {}
local c = 0
repeat
  local v = c
  fns[#fns + 1] = function() return v end
  c = c + 1
until v == 3
print(#fns, fns[1](), fns[4]())
-- deeply nested ifs
local function deep(a, b, c)
  if a then
    if b then
      if c then return "abc" else return "ab" end
    else
      if c then return "ac" else return "a" end
    end
  elseif b then
    return c and "bc" or "b"
  else
    return c and "c" or "-"
  end
end
print(deep(true, true, true), deep(true, false, true), deep(false, true, false), deep(nil, nil, nil))
-- comparison results used as values
local t = { 1 < 2, 1 > 2, "a" == "a", nil == false }
print(t[1], t[2], t[3], t[4])
