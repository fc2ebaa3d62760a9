-- Operator precedence and associativity.
print(2 + 3 * 4, (2 + 3) * 4, 2 * 3 + 4, 10 - 4 - 3, 10 - (4 - 3))
print(2 ^ 3 ^ 2, (2 ^ 3) ^ 2, -2 ^ 2, (-2) ^ 2, 2 ^ -2)
print(-3 % 5, -(3 % 5), 7 // 2 * 2, 7 // (2 * 2), 2 * 7 // 3)
print(not nil == true, not (nil == true), not 1 == 2, #"abc" + 1, -#"ab")
print(1 .. 2 .. 3, "a" .. 1 + 2 .. "b", 1 + 2 .. "")
print(1 < 2 == true, "a" .. "b" == "ab", 1 + 1 == 2 and 3 or 4)
print(1 or 2 and nil, (1 or 2) and nil, nil and 1 or 2, false or false and true)
print(1 | 2 ~ 3 & 4 << 1, ((1 | (2 ~ (3 & (4 << 1))))))
print(1 << 2 + 3, (1 << 2) + 3, 256 >> 2 * 2, 5 & 3 | 8, 5 ~ 1 | 2)
print(3 .. 4 < 3 .. 5, 2 ^ 2 .. "", -2 .. "")
print(~0 >> 60, ~(0 >> 60), - - 2, not not nil, - -2)
print(2 * -3, 2 ^ -1 * 4, -2 ^ -2)
print(1 + 2 < 4 and "yes" or "no", (5 > 3) == (2 < 4), 5 > 3 == true)
print(#{ 1, 2 } * 2, #"abc" .. "!", -(-3) ^ 2)
print("10" + 1 .. "", 2 .. 3 * 2)
-- comparison chains are not allowed without parentheses: (a < b) < c compares booleans
print(pcall(load("return 1 < 2 < 3")))
-- and/or return operands, not booleans
print(nil or false, false or nil, 0 or 1, "" and "x", nil and nil)
-- unary minus on variables and calls
local x = 5
local function f() return 3 end
print(-x, -f(), - -x, -x ^ 2, (-x) ^ 2)
-- long expression
local a, b, c, d = 1, 2, 3, 4
print(a + b * c - d / 2 ^ 2 % 3 // 1, (a + b) * (c - d) / 2, a < b and c < d or a > b)
-- string comparison vs concatenation precedence
print("a" .. "b" < "b", ("a" .. "b") < "b")
