-- Strings are values: weak tables never lose them (regression: they were freed while held).
local a = setmetatable({}, {__mode = "k"})
a.key = string.rep("v", 3)
local b = setmetatable({}, {__mode = "v"})
b[1] = string.rep("w", 4)
local c = setmetatable({}, {__mode = "kv"})
c[string.rep("K", 100)] = string.rep("V", 5)
collectgarbage()
for i = 1, 100 do local s = "junk" .. i end
print(a.key, b[1])
for k, v in pairs(c) do print(#k, v) end
-- A recycled table does not accept stale array keys in next.
for i = 1, 100 do local t = {} for j = 1, 50 do t[j] = j end end
collectgarbage()
print(pcall(next, {10, 20}, 3))
-- A finalizer that sets a flag is seen by a pure Lua loop.
local finish = false
setmetatable({}, {__gc = function() finish = true end})
local n = 0
repeat local u = {} n = n + 1 until finish or n >= 10000000
print("finalizer ran in loop", finish)
-- Finalizers that create finalizable objects while the state closes do not loop forever.
local tt = {}
local count = 0
tt.__gc = function() count = count + 1 setmetatable({}, tt) if count <= 2 then print("fin", count) end end
G1 = setmetatable({}, tt)
G2 = {setmetatable({}, tt)}
-- os.exit(code, true) closes the state: finalizers run.
G3 = setmetatable({}, {__gc = function() print("closed by os.exit") end})
os.exit(0, true)
