-- reference: PUC Lua 5.4.8 (5.4.8 fixed the names of fields of a table called _ENV)
-- Names in error messages: metamethods that cannot be called, _ENV as a global table,
-- keys past the constants an instruction can name.
local function try(src) print(select(2, pcall(load(src)))) end
try("local a = setmetatable({}, {__add = 34}); a = a + 1")
try("local a = setmetatable({}, {__lt = {}}); a = a > a")
try("local a = setmetatable({}, {__le = true}); a = a <= a")
try("local a = setmetatable({}, {__concat = 1}); a = a .. 'x'")
try("local a = setmetatable({}, {__len = 1}); a = #a")
try("local a = setmetatable({}, {__unm = 1}); a = -a")
try("local a = setmetatable({}, {__eq = 1}); a = a == setmetatable({}, getmetatable(a))")
try("local a = setmetatable({}, {__index = function() end}); local c = setmetatable({}, {__call = 1}); c()")
try("print(('_ENV').x + 1)")
try("print(_ENV.x + 1)")
try("local _ENV = {print = print}; print(x + 1)")
try("a = {_ENV = {}}; print(a._ENV.x + 1)")
print(select(2, pcall(pairs, setmetatable({}, {__pairs = 3}))))
-- past 255 constants the key is loaded into a register; the name is still found
local t = {}
for i = 1, 300 do t[i] = "aaa = x" .. i end
local s = table.concat(t, "; ")
try(s .. "; aaa = bbb + 1")
try("local _ENV=_ENV;" .. s .. "; aaa = bbb + 1")
try(s .. "; local t = {}; aaa = t.bbb + 1")
try(s .. "; local t = {}; t:bbb()")
