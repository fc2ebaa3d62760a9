-- table.insert/remove: boundary positions, metamethods and every error message.
print(pcall(table.insert, {}, 0, "x"))
print(pcall(table.insert, { 1 }, 3, "x"))
print(pcall(table.insert, {}, -1, "x"))
print(pcall(table.insert, {}))
print(pcall(table.insert, {}, 1, 2, 3))
print(pcall(table.insert, {}, "a", 1))
print(pcall(table.insert, {}, 1.5, 1))
print(pcall(table.insert, nil, 1))
local t = { 1, 2, 3 }
print(table.remove(t, 4), #t)
print(pcall(table.remove, t, 5))
print(pcall(table.remove, t, 0))
print(pcall(table.remove, t, -1))
print(table.remove({}), table.remove({}, 0), select("#", table.remove({})))
local z = { [0] = "zero" }
print(table.remove(z, 0), z[0])
print(table.remove({ "only" }, 1), table.remove({ "a", "b" }, 2))
print(pcall(table.remove, {}, "x"))
-- __len and __index/__newindex are honoured
local log = {}
local p = setmetatable({}, {
  __len = function() return 2 end,
  __index = function(_, k) return "v" .. k end,
  __newindex = function(t, k, v) log[#log + 1] = k .. "=" .. tostring(v); rawset(t, k, v) end,
})
table.insert(p, "new")
print(table.concat(log, " "))
log = {}
print(table.remove(p, 1))
print(table.concat(log, " "))
local bad = setmetatable({}, { __len = function() return "x" end })
print(pcall(table.insert, bad, 1))
local big = setmetatable({}, { __len = function() return 2.5 end })
print(pcall(table.insert, big, 1))
