-- table.sort errors: invalid order functions, bad arguments, incomparable values.
local function try(...) print(pcall(...)) end
local function always(a, b) return true end
try(table.sort, {1, 2, 3}, always)
try(table.sort, {1, 2, 3, 4}, always)
try(table.sort, {1, 2, 3, 4, 5}, always)
try(table.sort, {1, 2, 3, 4, 5, 6}, always)
print(pcall(function() table.sort({5, 4, 3, 2, 1, 0}, function(a, b) return a <= b end) end))
try(table.sort, {}, 3)           -- no check for short arrays
try(table.sort, {1}, "x")
try(table.sort, {1, 2}, 3)
try(table.sort, {1, 2}, {})
try(table.sort)
try(table.sort, "abc")
try(table.sort, {{}, {}})
try(table.sort, {1, "x"})
try(table.sort, {"x", 1})
try(table.sort, {1, 2, {}})
try(table.sort, {true, false})
try(table.sort, setmetatable({}, {__len = function() return -1 end}), error)
try(table.sort, setmetatable({}, {__len = function() return math.maxinteger end}))
try(table.sort, setmetatable({}, {__len = function() return 2^31 - 1 end}))
try(table.sort, setmetatable({}, {__len = function() return "x" end}))
try(table.sort, setmetatable({}, {__len = function() return 2.5 end}))
-- NaN makes the default order inconsistent
local t = {3, 0/0, 1, 0/0, 2, 5, 0/0, 4}
local ok = pcall(table.sort, t)
print("nan sort finished", #t)
-- a consistent but __lt-based order that errors midway
local mt = {__lt = function(a, b) if a.v == 3 then error("three!") end return a.v < b.v end}
local objs = {}
for i = 1, 6 do objs[i] = setmetatable({v = 7 - i}, mt) end
print(pcall(table.sort, objs))
