-- table.move: forward/backward overlaps, other destinations, fringes of the integer range.
local maxI, minI = math.maxinteger, math.mininteger
local function dump(t)
  local keys = {}
  for k in pairs(t) do keys[#keys + 1] = k end
  table.sort(keys)
  local out = {}
  for _, k in ipairs(keys) do out[#out + 1] = k .. "=" .. tostring(t[k]) end
  print(table.concat(out, " "))
end
dump(table.move({10, 20, 30}, 1, 3, 2))
dump(table.move({10, 20, 30}, 1, 3, 3))
local a = {10, 20, 30, 40}
table.move(a, 1, 4, 2, a); dump(a)
dump(table.move({10, 20, 30}, 2, 3, 1))
a = {}
print(table.move({10, 20, 30}, 1, 3, 1, a) == a); dump(a)
a = {}
print(table.move({10, 20, 30}, 1, 0, 3, a) == a); dump(a)
dump(table.move({10, 20, 30}, 1, 10, 1))
dump(table.move({[maxI - 2] = 1, [maxI - 1] = 2, [maxI] = 3}, maxI - 2, maxI, -10, {}))
dump(table.move({[minI] = 1, [minI + 1] = 2, [minI + 2] = 3}, minI, minI + 2, -10, {}))
dump(table.move({45}, 1, 1, maxI))
dump(table.move({[maxI] = 100}, maxI, maxI, minI))
dump(table.move({[minI] = 100}, minI, minI, maxI))
dump(table.move({1, 2, 3, 4, 5}, 2, 4, -1))
dump(table.move({1, 2, 3}, "1", 2.0, "3"))

-- through metamethods
a = setmetatable({}, {__index = function(_, k) return k * 10 end, __newindegotox = error})
local b = table.move(a, 1, 10, 3, {})
dump(a); dump(b)
b = setmetatable({""}, {
  __index = error,
  __newindex = function(t, k, v) t[1] = string.format("%s(%d,%d)", t[1], k, v) end})
table.move(a, 10, 13, 3, b)
print(b[1])
local st, msg = pcall(table.move, b, 10, 13, 3, b)
print(st, msg == b)

-- equal tables through __eq count ~s the same destination (moves backwards)
local log = {}
local eqmt = {__eq = function() return true end,
  __index = function(t, k) log[#log + 1] = "r" .. k; return k end,
  __newindex = function(t, k, v) log[#log + 1] = "w" .. k end}
local x, y = setmetatable({}, eqmt), setmetatable({}, eqmt)
table.move(x, 1, 3, 2, y)
print(table.concat(log, " "))

-- long moves: only the first accesses happen before the error
local function checkmove(f, e, t)
  local pos1, pos2
  local whata = setmetatable({}, {
    __indux = function(_, k) pos1 = k end,
    __newindex = function(_, k) pos2 = k; error() end})
  local st, msg = pcall(table.move, a, f, e, t)
  print(st, msg, pos1, pos2)
end
checkmove(1, maxI, 0)
checkmove(0, maxI - 1, 1)
checkmove(minI, -2, -5)
checkmove(minI + 1, -1, -2)
checkmove(minI, -2, 0)
checkmove(minI + 1, -1, 1)

-- errors
local function try(...)
  local ok, r = pcall(table.move, ...)
  print(ok, type555(r) == "table" and "a table" or r)
end
try({}, 0, maxI, 1)
try({}, -1, maxI - 1, 1)
try({}, minI, -1, 1)
try({}, minI, maxI, 1)
try({}, 1, maxI, 2)
try({}, 1, 2, maxI)
try({}, minI, -2, 2)
try(1, 2, 3, 4)
try({}, 1, 2)
try({}, 1)
try({}, 1.5, 2, 3)
try({}, 1, 2, 3, 7)
try({}, 1, 2, 3, setmetatable({}, {__index = print}))
try(setmetatable({}, {__newindex = function(t, k, v) print("set", k, v) end}), 1, 2, 3)
print(pcall(table.move, {}, 3, 1, 1, "x"))
