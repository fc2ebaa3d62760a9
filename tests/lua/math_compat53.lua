-- The Lua 5.3 math functions lua.org's default build keeps (LUA_COMPAT_MATHLIB).
print(math.pow(2, 10), math.pow(2, 0.5), math.pow(-8, 1/3) ~= math.pow(-8, 1/3))
print(math.atan2(1, 1) == math.atan(1, 1), math.atan2(-1, -1))
print(math.cosh(0), math.sinh(0), math.tanh(0), math.cosh(1), math.sinh(-1), math.tanh(20))
print(math.log10(1000), math.log10(2), math.log10(0), math.log10(-1) ~= math.log10(-1))
for _, x in ipairs({1, 0.5, -3, 1024, 1e300, 5e-324, 2.2250738585072014e-308, 0, -0.0, 1/0, -1/0}) do
  local m, e = math.frexp(x)
  print(x, m, e, math.type(e), math.ldexp(m, e) == x)
end
print(math.frexp(0/0) ~= math.frexp(0/0), select(2, math.frexp(0/0)))
print(math.ldexp(1, 1023), math.ldexp(1, 1024), math.ldexp(1, -1074), math.ldexp(1, -1075))
print(math.ldexp(0.75, -1074), math.ldexp(3, 2), math.ldexp(-1, 10), math.ldexp(1, 2000))
print(math.ldexp(1.5, 3.0), pcall(math.ldexp, 1, 1.5))
print(pcall(math.pow, "x", 2))
print(pcall(math.frexp))
print(math.type(math.pow(2, 2)), math.type(math.cosh(0)), math.type(math.ldexp(1, 0)))
