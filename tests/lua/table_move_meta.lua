-- table.move through __index/__newindex, and its argument errors.
local log = {}
local src = setmetatable({}, { __index = function(_, k) log[#log + 1] = "get" .. k; return k * 100 end })
local dst = setmetatable({}, { __newindex = function(t, k, v) log[#log + 1] = "set" .. k; rawset(t, k, v) end })
table.move(src, 1, 3, 1, dst)
print(table.concat(log, " "))
print(rawget(dst, 1), rawget(dst, 2), rawget(dst, 3))
log = {}
local same = setmetatable({ 1, 2, 3, 4 }, { __index = function(_, k) return "i" .. k end })
table.move(same, 2, 5, 1)
print(same[1], same[2], same[3], same[4], same[5])
print(pcall(table.move, {}, 1, math.maxinteger, 2))
print(pcall(table.move, {}, -1, math.maxinteger, 2))
print(pcall(table.move, {}, 1, 2, math.maxinteger))
print(pcall(table.move, 1, 1, 2, 1))
print(pcall(table.move, {}, 1, 2, 1, 5))
print(pcall(table.move, {}, 1, 2))
print(pcall(table.move, {}, "a", 2, 1))
print(pcall(table.move, {}, 1.5, 2, 1))
-- a proxy without table type but with metamethods works as a destination
local ud = setmetatable({}, { __index = function() return nil end })
print(table.move({ "a", "b" }, 1, 2, 1, ud)[2])
