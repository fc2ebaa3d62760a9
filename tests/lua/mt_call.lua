-- __call metamethod.
local callable = setmetatable({ name = "obj" }, {
  __call = function(self, a, b) return self.name, a, b end,
})
print(callable(1, 2))
print(callable())
print(callable("only"))
-- __call with varargs
local va = setmetatable({}, { __call = function(self, ...) return select("#", ...), ... end })
print(va(nil, nil))
print(va(1, 2, 3))
-- __call on a table used as a function in various positions
local t = { f = callable }
print(t.f("x"))
print(pcall(callable, "via pcall"))
local r = { callable("in constructor") }
print(#r, r[1], r[2])
-- chained __call: the metamethod itself is a callable table
local inner
inner = setmetatable({}, { __call = function(self, ...)
  local first = ...
  return "inner got", self == inner, select("#", ...), select(2, ...)
end })
local outer = setmetatable({}, { __call = inner })
local r1, r2, r3, r4, r5 = outer("arg1", "arg2")
print(r1, r2, r3, r4, r5)
-- __call on a method call
local objm = setmetatable({}, { __index = { m = callable } })
local n1, self1, arg1 = objm:m("method arg")
print(n1, self1 == objm, arg1)
-- callable used as a constructor (class style)
local Point = setmetatable({}, {
  __call = function(cls, x, y) return setmetatable({ x = x, y = y }, cls) end,
})
Point.__index = Point
function Point:len2() return self.x * self.x + self.y * self.y end
local p = Point(3, 4)
print(p.x, p.y, p:len2())
-- calling a table without __call
print(pcall(function() local nt = {}; nt() end))
print(pcall(function() local nt = setmetatable({}, {}); nt() end))
-- __call as a non-function value errors
print(pcall(function() local bad = setmetatable({}, { __call = 42 }); bad() end))
-- __call on a counter object
local counter = setmetatable({ n = 0 }, { __call = function(self, inc)
  self.n = self.n + (inc or 1)
  return self.n
end })
counter(); counter(5); counter()
print(counter.n, counter(0))
