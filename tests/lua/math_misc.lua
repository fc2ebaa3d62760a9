-- tointeger, type, ult, sqrt, exp, log (with bases), trig, constants.
local function show(...)
  local out = {}
  for i = 1, select("#", ...) do
    local v = select(i, ...)
    out[#out + 1] = tostring(v) .. ":" .. (math.type(v) or type(v))
  end
  print(table.concat(out, " "))
end
show(math.tointeger(3), math.tointeger(3.0), math.tointeger(3.5), math.tointeger(-0.0))
show(math.tointeger("8"), math.tointeger("3.0"), math.tointeger(" 0x10 "), math.tointeger("x"))
show(math.tointeger(2^63), math.tointeger(-2^63), math.tointeger(1/0), math.tointeger(0/0))
show(math.tointeger({}), math.tointeger(true), math.tointeger(nil))
print(pcall(math.tointeger))
show(math.type(1), math.type(1.0), math.type("1"), math.type(nil), math.type({}))
print(pcall(math.type))
show(math.ult(1, 2), math.ult(-1, 2), math.ult(2, -1), math.ult(math.maxinteger, math.mininteger))
show(math.ult(0, 0), math.ult("1", 2))
print(pcall(math.ult, 1.5, 2))
print(pcall(math.ult, 1))
show(math.sqrt(4), math.sqrt(2), math.sqrt("9"), math.sqrt(0), math.sqrt(-0.0), math.sqrt(1/0))
show(math.exp(0), math.exp(1), math.exp(-1/0), math.exp(710), math.exp(-800))
show(math.log(1), math.log(math.exp(2)), math.log(0), math.log(1/0))
show(math.log(8, 2), math.log(1024, 2), math.log(100, 10), math.log(1000, 10.0), math.log(27, 3))
show(math.log(2, 0), math.log(10, 1), math.log(0, 10), math.log(1, 1), math.log(81, "3"))
show(math.log(2^-1074, 2), math.log(2^1023, 2), math.log(1e-300, 10))
show(math.sin(0), math.cos(0), math.tan(0), math.sin(math.pi / 2), math.cos(math.pi))
show(math.asin(1), math.acos(1), math.acos(0), math.asin(-1))
show(math.atan(1), math.atan(1, 0), math.atan(0, -1), math.atan(-0.0, -1), math.atan(1, 1), math.atan(-1, -1))
show(math.atan(0, 0), math.atan(1/0, 1/0), math.atan("1", "2"))
print(string.format("%.17g %.17g %.17g", math.sin(1), math.cos(1), math.tan(1)))
print(string.format("%.17g %.17g", math.exp(3.3), math.log(7.7)))
show(math.pi, math.huge, -math.huge, math.maxinteger, math.mininteger)
print(string.format("%.17g", math.pi), math.maxinteger + 1 == math.mininteger)
print(math.sqrt(-1) ~= math.sqrt(-1), math.acos(2) ~= math.acos(2), math.log(-1) ~= math.log(-1))
show(math.deg(math.pi), math.deg(1), math.rad(180), math.rad("90"), math.deg(0), math.rad(-1/0))
print(pcall(math.deg))
print(pcall(math.rad, "x"))
print(pcall(math.sqrt))
print(pcall(math.log, "a"))
print(pcall(math.log, 2, {}))
print(pcall(math.exp, nil))
print(pcall(math.sin, {}))
-- every function is there, and nothing from Lua 5.3's compatibility layer is required
local names = {}
for k in pairs(math) do names[#names + 1] = k end
table.sort(names)
local core = {}
for _, k in ipairs(names) do
  if not ({pow = 1, ldexp = 1, frexp = 1, atan2 = 1, cosh = 1, sinh = 1, tanh = 1, log10 = 1})[k] then
    core[#core + 1] = k
  end
end
print(table.concat(core, " "))
