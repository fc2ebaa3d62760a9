-- Adjustment of multiple results in every context.
local function none() end
local function one() return 1 end
local function three() return 1, 2, 3 end
-- as statement: all discarded
three()
-- in expressions: truncated to one
print(three() + 10, -three(), (three()), #{ (three()) })
print(none() == nil, (none()))
-- last in argument list: expanded
print(three())
print(0, three())
print(three(), 0)
print(none(), "after none")
print("before none", none())
-- in table constructors
print(#{ three() }, #{ three(), three() }, #{ three(), nil }, #{ none() })
-- in return statements
local function pass() return three() end
local function pass_paren() return (three()) end
local function pass_mid() return three(), "x" end
print(pass())
print(pass_paren())
print(pass_mid())
-- in assignments
local a, b, c, d = three()
print(a, b, c, d)
a, b, c, d = three(), three()
print(a, b, c, d)
a, b = none(), one()
print(a, b)
-- in concatenation and comparisons
print(three() .. "!", three() == 1, three() < 2)
-- in string.format arguments
print(string.format("%d-%d-%d", three()))
-- in conditions
if three() then print("truthy") end
if none() then print("never") else print("none is falsy") end
-- as the iterator triple of a generic for
local function iter3()
  return function(s, c) if c < s then return c + 1 end end, 3, 0
end
for v in iter3() do io_unused = v; print("iter", v) end
-- in method call arguments
local obj = { f = function(self, ...) return select("#", ...) end }
print(obj:f(three()), obj:f(three(), three()), obj:f((three())))
-- nested calls
local function id(...) return ... end
print(id(id(id(three()))))
print(select("#", id(id(none()))))
-- table.unpack results adjusted
print(table.unpack({ 1, 2, 3 }), table.unpack({ 4, 5 }))
-- varargs and multiple results in a long argument list
print(select("#", three(), three(), three(), three()))
