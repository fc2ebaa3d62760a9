-- __concat and __len.
local C = setmetatable({ name = "C" }, {
  __concat = function(a, b)
    local function n(v) if type(v) == "table" then return "[" .. v.name .. "]" end return tostring(v) .. ":" .. (math.type(v) or type(v)) end
    return n(a) .. "+" .. n(b)
  end,
})
print(C .. "s")
print("s" .. C)
print(C .. 1)
print(1 .. C)
print(2.5 .. C)
print(C .. C)
-- in a chain: a .. b .. c is right associative, strings/numbers concatenated first
print("a" .. "b" .. C)
print(C .. "x" .. "y")
print("x" .. C .. "y")
print(1 .. 2 .. C)
-- metamethod result used as is (can be a non-string)
local N = setmetatable({}, { __concat = function() return 42 end })
print(N .. "x", math.type(N .. "x"))
-- __concat on the second operand only
local second = setmetatable({}, { __concat = function(a, b) return type(a) .. "&" .. type(b) end })
print(nil == nil, pcall(function() return nil .. second end))
print(true .. second)
-- no metamethod: error
print(pcall(function() return {} .. "x" end))
-- __len
local L = setmetatable({ 1, 2, 3 }, { __len = function(t) return 99 end })
print(#L, rawlen(L))
local L2 = setmetatable({}, { __len = function() return "not a number" end })
print(#L2)
local L3 = setmetatable({}, { __len = function(t) return t end })
print(#L3 == L3)
-- __len used by table.insert/table.unpack (they respect metamethods)
local sized = setmetatable({}, { __len = function() return 3 end })
sized[1], sized[2], sized[3] = "a", "b", "c"
print(table.unpack(sized))
print(table.concat(sized, ","))
-- __len on strings is not consulted (strings have primitive length)
print(#"abc")
-- length of a proxy table that forwards to another table
local backing = { 10, 20, 30, 40 }
local proxy = setmetatable({}, { __len = function() return #backing end, __index = backing })
print(#proxy, proxy[2])
local sum = 0
for i = 1, #proxy do sum = sum + proxy[i] end
print(sum)
-- ipairs respects __index
local ip = {}
for i, v in ipairs(proxy) do ip[#ip + 1] = i .. "=" .. v end
print(table.concat(ip, " "))
