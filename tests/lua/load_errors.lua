-- Syntax errors returned by load as (nil, message).
local cases = {
  "x = = 1",
  "x = ",
  "local 1 = 2",
  "return return",
  "if x then",
  "for i = 1 do end",
  "f(",
  "x = }",
  "x = 'unclosed",
  "x = [[unclosed",
  "--[[ unclosed comment",
  "local t = {1, 2",
  "return 1 +",
  "a.b:c = 1",
  "x = 1 1",
  "local function end",
  "while true do",
  "repeat x = 1",
  "function f() return 1 x = 2 end",
  "local x <bad> = 1",
  "x = 3 .. 4 ..",
  "return ...",
  "function f() return ... end",
  "goto = 1",
  "local a = {[1] = }",
  "x = 0x",
  "x = 1e",
  "x = \"\\q\"",
  "and = 1",
  "x = #",
  "(x) = 1",
  "f() = 1",
  "x, y() = 1, 2",
  "local x = 1\nlocal y = 2\ny = = 3",
  "x = 1\n\n\nif then end",
  "return 'a' .. ",
  "x = {,}",
  "::a:: ::a::",
  "return function(a, b,) end",
  "return function(..., a) end",
  "local t = {} t.1 = 2",
  "x = @",
  "x = ~= 1",
  "return not",
}
for i, src in ipairs(cases) do
  local f, err = load(src)
  print(i, f == nil, err)
end
-- messages for different chunk names
print(load("x = = 1", "=custom"))
print(load("x = = 1", "@script.lua"))
print(load("x = = 1", "plain name"))
print(load("x = = 1", ""))
print(load("x = = 1", "="))
-- long chunk text is abbreviated in the chunk name
print(load("x = = 1 -- " .. string.rep("long ", 20)))
print(load("local ok = 1\nx = = 1"))
-- a syntax error inside a nested function
print(load("local function f()\n  local g = function()\n    return 1 +\n  end\nend"))
-- errors from too many things
local many = {}
for i = 1, 300 do many[#many + 1] = "local v" .. i .. " = " .. i end
print(load(table.concat(many, "\n")))
