-- Key normalization and invalid keys.
local t = {}
t[1] = "int"
print(t[1.0], t[1])
t[1.0] = "float one"
print(t[1], rawget(t, 1), rawget(t, 1.0))
t[2^53] = "big"
print(t[2^53], t[9007199254740992], math.type(2^53))
local found
for k in pairs(t) do if k ~= 1 then found = k end end
print(found, math.type(found))
t[-0.0] = "negzero"
print(t[0], t[0.0], t[-0.0])
t[0.5] = "half"
print(t[0.5], t[1/2])
t[math.huge] = "inf"
print(t[1/0], t[-math.huge])
t[math.maxinteger] = "maxint"
print(t[math.maxinteger], t[math.maxinteger + 0.0], t[2^63])
t[math.mininteger] = "minint"
print(t[math.mininteger], t[-2^63], t[math.mininteger + 0.0])
-- strings and numbers are different keys
t["1"] = "string one"
print(t[1], t["1"])
-- booleans, tables and functions as keys
local kt, kf = {}, function() end
t[true] = "T"; t[false] = "F"; t[kt] = "table key"; t[kf] = "function key"
print(t[true], t[false], t[kt], t[kf], t[{}])
-- nil and NaN keys
print(t[nil], t[0/0])
print(pcall(function() t[nil] = 1 end))
print(pcall(function() t[0/0] = 1 end))
print(pcall(function() local k; t[k] = 1 end))
print(pcall(rawset, t, nil, 1))
print(pcall(rawset, t, 0/0, 1))
print(rawget(t, nil), rawget(t, 0/0))
-- assigning nil to a missing key is fine
t.missing = nil
print(t.missing)
-- reading with nil or NaN key through a table with __index
local prox = setmetatable({}, { __index = function(_, k) return "idx:" .. tostring(k) end })
print(prox[nil], prox[1], prox[1.0], prox.x)
-- float keys that are integers are converted when stored
local cnt = {}
cnt[3.0] = true
for k in pairs(cnt) do print(k, math.type(k)) end
-- string keys with embedded zeros
local zs = {}
zs["a\0b"] = 1
zs["a\0c"] = 2
print(zs["a\0b"], zs["a\0c"], zs["a"])
