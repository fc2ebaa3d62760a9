-- <const> variables.
local x <const> = 10
local s <const> = "str"
print(x, s, x * 2)
local a <const>, b = 1, 2
b = 3
print(a, b)
local function usesconst()
  return x + 1
end
print(usesconst())
-- compile errors on assignment
local cases = {
  "local x <const> = 1; x = 2",
  "local x <const> = 1; local function f() x = 2 end",
  "local a, b <const> = 1, 2; a = 5; b = 6",
  "local t <const> = {}; t.field = 1; return t.field",
  "local c <const> = 1; c, d = 2, 3",
  "local y <foo> = 1",
  "local z <const> = 1; for z = 1, 2 do z = 3 end return 'loop var shadows const'",
  "local w <const> = 1; do local w = 2; w = 3 end return 'shadowed'",
  "local a <const> = 1 <const>",
  "local q <close> <const> = nil",
}
for i, src in ipairs(cases) do
  local f, err = load(src, "=const")
  if f then
    print(i, "compiled", f())
  else
    print(i, err)
  end
end
-- const in nested function scope and in loops
for i = 1, 3 do
  local sq <const> = i * i
  io_dummy = sq
  print(i, sq)
end
-- constant folding of const values
local K <const> = 2 ^ 10
local M <const> = K // 3
print(K, M, math.type(M))
local str <const> = "con" .. "cat"
print(str)
