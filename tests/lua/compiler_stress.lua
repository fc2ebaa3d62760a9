-- Compiler stress via generated code: many constants, long jumps, many registers.
-- more than 256 distinct constants in one function (beyond the RK/K operand range)
local parts = { "local t = {}" }
for i = 1, 600 do
  parts[#parts + 1] = string.format("t[%d] = 'str%d' .. %d.5", i, i, i)
end
parts[#parts + 1] = "return t"
local t = load(table.concat(parts, "\n"))()
print(#t, t[1], t[300], t[600])
-- arithmetic with many distinct numeric constants
parts = { "local x = 0" }
for i = 1, 500 do parts[#parts + 1] = "x = x + " .. (i * 1000003) .. " - " .. (i + 0.25) end
parts[#parts + 1] = "return x"
print(load(table.concat(parts, "\n"))())
-- a very long if/elseif chain (long forward jumps)
parts = { "local v = ... local r" }
for i = 1, 400 do
  parts[#parts + 1] = (i == 1 and "if" or "elseif") .. " v == " .. i .. " then r = 'case" .. i .. "'"
end
parts[#parts + 1] = "else r = 'default' end return r"
local chain = load(table.concat(parts, "\n"))
print(chain(1), chain(200), chain(400), chain(401))
-- a loop body so large that the backward jump is long
parts = { "local s = 0 for i = 1, 10 do" }
for i = 1, 2000 do parts[#parts + 1] = "s = s + " .. (i % 7) end
parts[#parts + 1] = "end return s"
print(load(table.concat(parts, "\n"))())
-- 200 locals (the limit) in one function
parts = {}
for i = 1, 199 do parts[#parts + 1] = "local v" .. i .. " = " .. i end
local sum = {}
for i = 1, 199 do sum[#sum + 1] = "v" .. i end
parts[#parts + 1] = "return " .. table.concat(sum, " + ")
print(load(table.concat(parts, "\n"))())
-- function with many upvalues (the limit is 255)
parts = {}
for i = 1, 120 do parts[#parts + 1] = "local u" .. i .. " = " .. i end
local ups = {}
for i = 1, 120 do ups[#ups + 1] = "u" .. i end
parts[#parts + 1] = "return function() return " .. table.concat(ups, " + ") .. " end"
print(load(table.concat(parts, "\n"))()())
-- huge table constructor with positional and named fields
parts = { "return {" }
for i = 1, 1000 do parts[#parts + 1] = i .. "," end
for i = 1, 300 do parts[#parts + 1] = "k" .. i .. " = " .. i .. "," end
parts[#parts + 1] = "}"
local big = load(table.concat(parts, "\n"))()
print(#big, big[1000], big.k1, big.k300)
-- deeply nested expressions and parentheses
local expr = "1"
for i = 1, 100 do expr = "(" .. expr .. " + " .. i .. ")" end
print(load("return " .. expr)())
-- deeply nested blocks
local src = ""
for i = 1, 100 do src = src .. "do local x" .. i .. " = " .. i .. " " end
src = src .. "r = x100 + x1 "
for i = 1, 100 do src = src .. "end " end
local env = {}
load(src, "=nested", "t", env)()
print(env.r)
-- deeply nested functions (closures of closures)
src = "return "
for i = 1, 50 do src = src .. "function() local l" .. i .. " = " .. i .. " return " end
src = src .. "l1 + l50"
for i = 1, 50 do src = src .. " end" end
local fn = load(src)()
for i = 1, 49 do fn = fn() end
print(fn())
-- long string concatenation chain in one expression (many operands)
parts = {}
for i = 1, 150 do parts[#parts + 1] = "'" .. (i % 10) .. "'" end
local cat = load("return " .. table.concat(parts, " .. "))()
print(#cat, cat:sub(1, 20))
-- a function call with many arguments
parts = {}
for i = 1, 200 do parts[#parts + 1] = tostring(i) end
print(load("return select('#', " .. table.concat(parts, ", ") .. ")")())
-- too many locals / upvalues are compile errors
parts = {}
for i = 1, 201 do parts[#parts + 1] = "local z" .. i end
print(load(table.concat(parts, "\n"), "=toomany"))
