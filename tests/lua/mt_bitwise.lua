-- Bitwise metamethods.
local log = {}
local mt = {}
for _, ev in ipairs({ "__band", "__bor", "__bxor", "__shl", "__shr", "__bnot" }) do
  mt[ev] = function(a, b)
    local function n(v) if type(v) == "table" then return "B" end return tostring(v) end
    log[#log + 1] = ev .. "(" .. n(a) .. "," .. n(b) .. ")"
    return ev
  end
end
local B = setmetatable({}, mt)
print(B & 1, 1 & B, B | 2, 2 | B, B ~ 3, 3 ~ B, B << 4, 4 << B, B >> 5, 5 >> B, ~B)
print(table.concat(log, " "))
-- floats that are not integral trigger metamethods when the other operand has one
log = {}
print(B & 1.5, 1.5 | B, "x" ~ B)
print(table.concat(log, " "))
-- a bit-set class
local Set = {}
Set.__index = Set
local function set(bits) return setmetatable({ bits = bits }, Set) end
Set.__band = function(a, b) return set(a.bits & b.bits) end
Set.__bor = function(a, b) return set(a.bits | b.bits) end
Set.__bxor = function(a, b) return set(a.bits ~ b.bits) end
Set.__bnot = function(a) return set(~a.bits & 0xFF) end
Set.__shl = function(a, n) return set((a.bits << n) & 0xFF) end
Set.__shr = function(a, n) return set(a.bits >> n) end
local s1, s2 = set(0x0F), set(0x3C)
print((s1 & s2).bits, (s1 | s2).bits, (s1 ~ s2).bits, (~s1).bits, (s1 << 4).bits, (s2 >> 2).bits)
-- errors without metamethods
print(pcall(function() return {} & 1 end))
print(pcall(function() local t = {}; return ~t end))
print(pcall(function() return 1 << {} end))
