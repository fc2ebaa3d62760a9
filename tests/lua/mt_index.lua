-- __index and __newindex.
local defaults = { color = "red", size = 10 }
local obj = setmetatable({ size = 20 }, { __index = defaults })
print(obj.color, obj.size, obj.missing, rawget(obj, "color"))
-- __index function receives table and key
local calls = {}
local fn = setmetatable({}, { __index = function(t, k)
  calls[#calls + 1] = tostring(k)
  return k == "x" and 42 or nil
end })
print(fn.x, fn.y, fn[1], fn[2.5], #calls, table.concat(calls, ","))
-- chains of __index tables
local base = { a = "base-a", b = "base-b", c = "base-c" }
local mid = setmetatable({ b = "mid-b" }, { __index = base })
local top = setmetatable({ c = "top-c" }, { __index = mid })
print(top.a, top.b, top.c, top.d)
-- chain with a function at the end
local deep = setmetatable({}, { __index = setmetatable({}, { __index = function(_, k) return "fn:" .. k end }) })
print(deep.anything, deep.more)
-- long chain
local chain = { last = "end of chain" }
for i = 1, 50 do chain = setmetatable({}, { __index = chain }) end
print(chain.last)
-- __index is not consulted for existing keys (even false)
local f = setmetatable({ present = false }, { __index = function() return "from index" end })
print(f.present, f.absent)
-- __newindex table: assignments go to the other table
local store = {}
local proxy = setmetatable({}, { __newindex = store })
proxy.a = 1
proxy.b = 2
print(rawget(proxy, "a"), store.a, store.b)
-- __newindex function
local log = {}
local watched = setmetatable({}, { __newindex = function(t, k, v)
  log[#log + 1] = tostring(k) .. "=" .. tostring(v)
  rawset(t, k, v)
end })
watched.x = 1
watched.x = 2 -- existing key: no metamethod
watched.y = nil
watched[1] = "one"
print(table.concat(log, " "), watched.x, watched[1])
-- __newindex not called for existing keys, called again after removal
watched.x = nil
watched.x = 3
print(table.concat(log, " "))
-- __newindex chain: table whose metatable has __newindex
local final = {}
local middle = setmetatable({}, { __newindex = final })
local front = setmetatable({}, { __newindex = middle })
front.k = "v"
print(rawget(front, "k"), rawget(middle, "k"), final.k)
-- read-only table
local function readonly(t)
  return setmetatable({}, {
    __index = t,
    __newindex = function(_, k) error("attempt to modify read-only field " .. tostring(k), 2) end,
  })
end
local ro = readonly({ pi = 3.14 })
print(ro.pi, pcall(function() ro.pi = 3 end))
-- __index on strings (string metatable) is the string table
print(("abc").len == string.len, ("abc").upper == string.upper, ("abc").nosuch)
-- indexing non-tables without metatables
print(pcall(function() local n = 1; return n.field end))
print(pcall(function() local b = true; b.x = 1 end))
-- rawget / rawset bypass metamethods
local rt = setmetatable({}, { __index = function() return "meta" end, __newindex = function() error("no") end })
rawset(rt, "k", "raw")
print(rt.k, rawget(rt, "other"), rt.other)
-- __index with numeric keys on a proxy for an array
local arr = { 10, 20, 30 }
local aproxy = setmetatable({}, { __index = function(_, i) return arr[i] and arr[i] * 2 end })
print(aproxy[1], aproxy[3], aproxy[4])
-- a metatable's __index set after setmetatable is honoured
local mt = {}
local late = setmetatable({}, mt)
print(late.z)
mt.__index = { z = "late z" }
print(late.z)
