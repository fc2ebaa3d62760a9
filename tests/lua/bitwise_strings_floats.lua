-- Bitwise operators on floats and strings, shifts beyond the width, errors.
print(3.0 | 0, 2^53 | 0, -1.0 & 0xFF, math.type(3.0 | 0))
print(pcall(function() return "3" | 0 end))
print(1 << 63, 1 << 64, 1 << 100, -1 >> 1, -1 >> 63, -1 >> 64, 1 << -1, 2 >> -1, 1 >> math.mininteger)
print(5 & 3, 5 | 3, 5 ~ 3, ~5, ~0, ~math.mininteger, 0xF0 ~ 0xFF)
print(math.maxinteger & -1, math.mininteger | 0, 0x7fffffffffffffff + 1 == math.mininteger)
print(pcall(function() return 1.5 | 0 end))
print(pcall(function() return 1 << 2.5 end))
print(pcall(function() return 2^64 & 1 end))
print(pcall(function() return "1.5" ~ 1 end))
print(pcall(function() return {} | 1 end))
print(pcall(function() return 1 & nil end))
print(pcall(function() local t = {} ; return ~t end))
print(pcall(function() return 1 < {} end))
local mt = { __band = function(a, b) return "band" end, __shl = function() return "shl" end,
  __bnot = function() return "bnot" end, __bxor = function() return "bxor" end,
  __bor = function() return "bor" end, __shr = function() return "shr" end }
local x = setmetatable({}, mt)
print(x & 1, 1 & x, x << 1, ~x, x ~ x, 2 | x, x >> "s")
print(pcall(function() return 1.5 & x end))
print(7 // 2 << 1, 1 << 2 + 1, 5 & 3 == 1, 2 ^ 2 | 0)
