-- table.insert / table.remove including edge positions and errors.
local function show(t, n)
  local parts = {}
  for i = 1, (n or #t) do parts[#parts + 1] = tostring(t[i]) end
  print(#t, "[" .. table.concat(parts, ",") .. "]")
end
local t = {}
table.insert(t, "a")
table.insert(t, "b")
show(t)
table.insert(t, 1, "first")
show(t)
table.insert(t, 2, "second")
show(t)
table.insert(t, #t + 1, "last")
show(t)
table.insert(t, #t, "before-last")
show(t)
print(pcall(function() table.insert(t, 0, "x") end))
print(pcall(function() table.insert(t, #t + 2, "x") end))
print(pcall(function() table.insert(t, -1, "x") end))
print(pcall(function() table.insert(t, 1, 2, 3) end))
print(pcall(function() table.insert(t) end))
print(pcall(function() table.insert(nil, 1) end))
print(pcall(function() table.insert(t, "2", "x") end))
print(pcall(function() table.insert(t, 1.5, "x") end))
show(t)
table.insert(t, 2.0, "float pos")
show(t)
-- insert nil value
local u = { 1, 2, 3 }
table.insert(u, 1, nil)
print(u[1], u[2], u[3], u[4])
-- remove
local r = { "a", "b", "c", "d", "e" }
print(table.remove(r))
show(r)
print(table.remove(r, 1))
show(r)
print(table.remove(r, 2))
show(r)
print(table.remove(r, #r + 1))
show(r)
print(table.remove(r, #r))
show(r)
print(table.remove(r), table.remove(r))
show(r)
print(table.remove(r), select("#", table.remove(r)))
print(table.remove(r, 0), table.remove(r, #r))
print(pcall(function() table.remove(r, 2) end))
print(pcall(function() table.remove(r, -1) end))
local r2 = { 1, 2, 3 }
print(pcall(function() table.remove(r2, 5) end))
print(pcall(function() table.remove(r2, 0) end))
print(pcall(function() table.remove(nil) end))
print(pcall(function() table.remove(r2, "x") end))
-- remove at #t+1 returns t[#t+1]
local r3 = { 1, 2 }
r3[3] = nil
print(table.remove(r3, 3), #r3)
-- remove(t, 0) on empty table with a value at 0
local r4 = {}
r4[0] = "zero"
print(table.remove(r4, 0), r4[0])
local r5 = { [0] = "z", "one" }
print(pcall(function() return table.remove(r5, 0) end))
-- use as stack and queue
local stack = {}
for i = 1, 5 do table.insert(stack, i * 10) end
local out = {}
while #stack > 0 do out[#out + 1] = table.remove(stack) end
print(table.concat(out, " "))
local queue = {}
for i = 1, 5 do table.insert(queue, i) end
out = {}
while #queue > 0 do out[#out + 1] = table.remove(queue, 1) end
print(table.concat(out, " "))
-- insert/remove respect __index/__newindex (they use lua_geti/lua_seti)
local log = {}
local proxy = setmetatable({}, {
  __len = function() return 2 end,
  __index = function(_, k) log[#log + 1] = "get" .. k; return "v" .. k end,
  __newindex = function(tt, k, v) log[#log + 1] = "set" .. k .. "=" .. tostring(v); rawset(tt, k, v) end,
})
table.insert(proxy, "new")
table.insert(proxy, 1, "front")
print(table.concat(log, " "))
