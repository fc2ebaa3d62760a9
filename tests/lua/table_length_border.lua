-- `#t` of a table with holes: any border is valid, but code relies on the one PUC Lua gives
-- (it passes `#{...}` or a table filled with `t[i] = v[i]` to table.unpack). Moonpool sizes its
-- array part where PUC Lua would, so the same operations give the same border.
print(#{'a', nil, nil, 'f', 'g'}, #{1, nil, 3}, #{1, nil}, #{nil, nil, 3}, #{nil})
local function pack(...) return {...} end
print(#pack(1, nil, 3), #pack(nil, nil), #pack(1, 2, nil, 4, nil))
print(select("#", table.unpack({"a", nil, "c"})))

local vals = {"meow", nil, "something", 1, "extras"}
local args = {}
for i = 1, 5 do args[i] = vals[i] end
print(#args, select("#", table.unpack(args)))

local t = {nil, 2, 3, nil}
print(#t)
t.s1 = 1                 -- a rehash finds the array part mostly holes
print(#t)
local w = {}
for i = 1, 8 do w[i] = i end
for _, i in ipairs({2, 3, 5, 6, 7}) do w[i] = nil end
w.x = 1
print(#w)
local u = {1, nil, 3, 4}
u[4] = nil
print(#u)

-- Patterns real code uses, with random holes (a fixed generator): filling 1..n in order
-- from a list with nils, building with {...}, adding fields, appending and removing at the end.
local state = 7
local function rnd(n)
  state = (state * 1103515245 + 12345) % 2147483648
  return (state >> 16) % n + 1
end
local out = {}
for _ = 1, 200 do
  local n = rnd(20)
  local src = {}
  for i = 1, n do if rnd(4) > 1 then src[i] = i end end
  local filled = {}
  for i = 1, n do filled[i] = src[i] end
  local packed = {table.unpack(src, 1, n)}
  out[#out + 1] = #filled .. "/" .. #packed
  for _ = 1, rnd(6) do
    local op = rnd(4)
    if op == 1 then filled["f" .. rnd(9)] = true
    elseif op == 2 then filled[#filled + 1] = "x"
    elseif op == 3 then filled[#filled] = nil
    else packed[#packed + 1] = "y" end
    out[#out + 1] = #filled .. "/" .. #packed
  end
  out[#out + 1] = "|"
end
print(table.concat(out, " "))
