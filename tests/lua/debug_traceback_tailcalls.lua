local function f() print(debug.traceback("x")) end
local function g() return f() end
g()
