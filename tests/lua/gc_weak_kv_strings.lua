-- Strings are values, never removed from weak tables; but a string key whose value dies does
-- not outlive its entry (the official suite's gc.lua checks this with memory counts).
collectgarbage(); collectgarbage()
local m = collectgarbage("count")
local a = setmetatable({}, {__mode = "kv"})
a[string.rep("a", 2^20)] = 25     -- string key, number value: stays
a[string.rep("b", 2^20)] = {}     -- string key, dead value: removed, string freed
a[{}] = 14                        -- dead key: removed
collectgarbage()
local kb = collectgarbage("count") - m
print(kb >= 2^10 and kb < 2 * 2^10)
local n = 0
for k, v in pairs(a) do n = n + 1; print(#k, v) end
print(n)
