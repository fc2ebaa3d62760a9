-- Generic for with custom and stateless iterators.
-- stateless iterator
local function iter(t, i)
  i = i + 1
  local v = t[i]
  if v ~= nil then return i, v end
end
local function myipairs(t) return iter, t, 0 end
for i, v in myipairs({ "a", "b", "c" }) do print(i, v) end
-- closure-based iterator
local function range(n, step)
  local i = 0
  return function()
    i = i + (step or 1)
    if i <= n then return i end
  end
end
local got = {}
for x in range(10, 3) do got[#got + 1] = x end
print(table.concat(got, " "))
-- iterator returning multiple values
local function enumerate(t)
  local i = 0
  return function()
    i = i + 1
    if t[i] then return i, t[i], t[i] * t[i] end
  end
end
for i, v, sq in enumerate({ 3, 4, 5 }) do print(i, v, sq) end
-- extra loop variables are nil
for a, b, c, d in myipairs({ "x" }) do print(a, b, c, d) end
-- the control variable is the first value; loop stops when it is nil
local function count_down(state, ctl)
  if ctl > state then return ctl - 1, "v" .. ctl end
end
for c, label in count_down, 0, 4 do print(c, label) end
-- iterating a string by characters
local chars = {}
for i, ch in (function(s)
  return function(s2, idx)
    idx = idx + 1
    if idx <= #s2 then return idx, s2:sub(idx, idx) end
  end, s, 0
end)("lua") do chars[#chars + 1] = i .. ch end
print(table.concat(chars, ","))
-- break out of generic for
for i, v in ipairs({ 10, 20, 30, 40 }) do
  if v > 20 then break end
  print("value", v)
end
-- nested generic loops
local grid = { { 1, 2 }, { 3, 4 }, { 5 } }
local flat = {}
for _, row in ipairs(grid) do
  for _, v in ipairs(row) do flat[#flat + 1] = v end
end
print(table.concat(flat, " "))
-- iterator that errors
print(pcall(function() for x in nil do end end))
print(pcall(function() for x in 5 do end end))
print(pcall(function() local t = {}; for x in t do end end))
-- __call metamethod makes a table usable as an iterator function
local callable = setmetatable({}, { __call = function(self, s, c)
  if c < s then return c + 1 end
end })
local cs = {}
for v in callable, 3, 0 do cs[#cs + 1] = v end
print(table.concat(cs, " "))
-- pairs with __pairs metamethod
local proxied = setmetatable({}, { __pairs = function(t)
  return function(_, k)
    if k == nil then return 1, "one" elseif k < 3 then return k + 1, "more" end
  end, t, nil
end })
for k, v in pairs(proxied) do print("pairs", k, v) end
-- generic for with 4th value (closing value) nil
for i in next, { 7 }, nil, nil do print("with nil closing value", i) end
-- loop variables are fresh locals per iteration (closures capture them)
local fs = {}
for i, v in ipairs({ "p", "q", "r" }) do fs[i] = function() return i .. v end end
print(fs[1](), fs[2](), fs[3]())
