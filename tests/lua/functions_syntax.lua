-- reference: PUC Lua 5.4.8 (a call is on the line of its arguments since 5.4.8)
-- Function definition and call syntax.
local t = { a = { b = {} } }
function t.a.b.f(x) return "t.a.b.f " .. x end
function t.a.b:m(x) return "t.a.b:m " .. tostring(self == t.a.b) .. " " .. x end
print(t.a.b.f(1), t.a.b:m(2))
-- call with string and table literals
local function show(x) if type(x) == "table" then return "table#" .. #x end return "string:" .. x end
print(show "literal", show [[long literal]], show { 1, 2, 3 }, show {})
local obj = { name = "o" }
function obj:say(x) return self.name .. " says " .. show(x) end
print(obj:say "hi", obj:say { 1 })
-- chained calls
local function curry(a) return function(b) return function(c) return a .. b .. c end end end
print(curry "x" "y" "z", curry(1)(2)(3))
local function maker() return { get = function() return "got" end } end
print(maker().get(), (maker()).get())
-- immediately invoked function
print((function(...) return select("#", ...) end)(1, 2, 3))
-- parameters: missing become nil, extra are dropped
local function three(a, b, c) return a, b, c end
print(three(1))
print(three(1, 2, 3, 4, 5))
-- anonymous functions in tables
local ops = { add = function(a, b) return a + b end, ["sub"] = function(a, b) return a - b end }
print(ops.add(2, 3), ops["sub"](2, 3))
-- functions are first-class values
local function apply(fn, ...) return fn(...) end
print(apply(math.max, 3, 9, 4), apply(string.rep, "ab", 3), apply(apply, three, "p", "q"))
-- recursion through a table field
local M = {}
function M.fact(n) return n <= 1 and 1 or n * M.fact(n - 1) end
print(M.fact(12))
-- global function definition
function global_fn(x) return x * 2 end
print(global_fn(21), type(_G.global_fn))
-- local function visible to itself, local f = function not
local function self_rec(n) return n == 0 and "done" or self_rec(n - 1) end
print(self_rec(10))
local not_rec = function(n) return not_rec end
print(not_rec(1))
-- redefinition
local function r() return 1 end
local first = r
local function r() return 2 end
print(first(), r())
-- function with many parameters
local function many(a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12)
  return a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11 + a12
end
print(many(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12))
-- statements separated by semicolons, empty statements
;;; local s1 = 1; local s2 = 2;;; print(s1 + s2);
-- calls as statements on parenthesized expressions
local log = {}
local function push(v) log[#log + 1] = v; return push end
push(1)(2)(3)
print(table.concat(log, ","))
-- a newline before '(' does not end the statement: this is print(g)('...')
local chunk = load("local g = print\n(g)('ambiguous call')")
print(type(chunk))
print(pcall(chunk))
-- method call on result of a call
local function mk() return { v = 7, get = function(self) return self.v end } end
print(mk():get())
-- varargs function with named and vararg parameters used in nested closures
local function outer(...)
  local n = select("#", ...)
  return function() return n end
end
print(outer(1, 2, 3)())
