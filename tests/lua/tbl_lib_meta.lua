-- insert/remove/concat/unpack/pack honour __index, __newindex and __len like Lua 5.4.
local function try(...) print(pcall(...)) end
local store = {}
local log = {}
local p = setmetatable({}, {
  __index = function(_, k) log[#log + 1] = "r" .. tostring(k); return store[k] end,
  __newindex = function(_, k, v) log[#log + 1] = "w" .. tostring(k); store[k] = v end,
  __len = function() log[#log + 1] = "#"; return #store end,
})
table.insert(p, "a"); table.insert(p, "b"); table.insert(p, 1, "c")
print(table.concat(store, ","), table.concat(log, " "))
log = {}
print(table.remove(p), table.concat(store, ","), table.concat(log, " "))
log = {}
print(table.remove(p, 1), table.concat(store, ","), table.concat(log, " "))
log = {}
print(table.concat(p, "-"), table.concat(log, " "))
log = {}
print(table.unpack(p))
print(table.concat(log, " "))
log = {}
print(table.concat(p, "-", 1, 1), table.concat(log, " "))

-- remove edge cases
local t = {1, 2, 3}
print(table.remove(t, 4), #t)
print(table.remove(t, 3), #t)
t = {}
print(table.remove(t), table.remove(t, 0), table.remove(t, 1), #t)
t = {[0] = "zero"}
print(table.remove(t, 0), t[0])
t = {n = 1}
print(select("#", table.remove(t)), select("#", table.remove(t, 1)))
try(table.remove, {1, 2, 3}, 7)
try(table.remove, {1, 2, 3}, -1)
try(table.remove, {}, -1)
try(table.remove, {1}, "x")

-- insert edge cases
t = {}
table.insert(t, 1, "x"); table.insert(t, 2, "y"); table.insert(t, 1, "w")
print(table.concat(t, ","))
try(table.insert, t, 0, "bad")
try(table.insert, t, 5, "bad")
try(table.insert, t, -1, "bad")
try(table.insert, t, 1.5, "bad")
try(table.insert, t)
try(table.insert, t, 1, 2, 3)
try(table.insert, 1, 2)
table.insert(t, #t + 1, "end")
print(table.concat(t, ","))
local lenstr = setmetatable({}, {__len = function() return "abc" end})
try(table.insert, lenstr, 1)
local lenfloat = setmetatable({}, {__len = function() return 2.0 end})
table.insert(lenfloat, "v")
print(rawget(lenfloat, 3))
-- insert at maxinteger length wraps to mininteger, which is then out of bounds
local huge = setmetatable({}, {__len = function() return math.maxinteger end,
  __newindex = function(_, k, v) print("newindex", k, v) end})
table.insert(huge, "v")
try(table.insert, huge, 1, "v")

-- concat
print(table.concat({}), table.concat({1, 2.5, "x"}), table.concat({1, 2, 3}, ", ", 2, 3))
print(table.concat({1, 2, 3}, ", ", 3, 2), table.concat({"a"}, 12), table.concat({1, 2}, 3.5))
try(table.concat, {1, {}, 3})
try(table.concat, {1, 2, 3}, ", ", 2, 5)
try(table.concat, {true})
try(table.concat, {}, {})
try(table.concat, 5)
try(table.concat, {}, "", "a")
print(table.concat({[math.maxinteger] = "M"}, "", math.maxinteger, math.maxinteger))
print(table.concat({[math.mininteger] = "m"}, ",", math.mininteger, math.mininteger))

-- unpack / pack
print(table.unpack({1, 2, 3}, 2), table.unpack({1, 2, 3}, -1, 1))
print(select("#", table.unpack({}, 1, 0)), select("#", table.unpack({}, 5, 7)))
print(table.unpack({1, 2, 3}, "2", 3.0))
try(table.unpack, {}, 1, 1e7)
try(table.unpack, {}, math.mininteger, math.maxinteger)
try(table.unpack, {}, 0, math.maxinteger)
try(table.unpack, nil)
try(table.unpack, nil, 1, 2)
try(table.unpack, {}, 1.5)
print(table.unpack({}, math.maxinteger, math.mininteger))
local mx = math.maxinteger
print(table.unpack({[mx - 1] = 12, [mx] = 23}, mx - 1, mx))
print(table.unpack({[math.mininteger] = 1, [math.mininteger + 1] = 2}, math.mininteger, math.mininteger + 1))
local pk = table.pack()
print(pk.n, pk[1])
pk = table.pack(nil, nil, 3, nil)
print(pk.n, pk[3], #{table.unpack(pk, 1, pk.n)} >= 0)
local many = {}
for i = 1, 5000 do many[i] = i end
print(select("#", table.unpack(many)), (select(4321, table.unpack(many))))
