-- Registers above those in use are not roots: an object only a stale register still holds is
-- collected, and its finalizer runs (PUC Lua marks a running function's stack up to its top).
local name
setmetatable({}, {__gc = function() name = "collected" end})
local n = 0
repeat local a = {} n = n + 1 until name
print(name, n > 0)

-- A live local is kept while the loop allocates.
local kept = setmetatable({}, {__gc = function() print("never before the end") end})
local done
setmetatable({}, {__gc = function() done = true end})
repeat local b = {x = {}} until done
print(kept ~= nil, done)

-- Arguments of a call in progress and temporaries of an expression stay alive.
local function make() return setmetatable({}, {__gc = function() end}) end
local function use(x, ...) collectgarbage() return select("#", ...), x ~= nil end
print(use(make(), make(), {}, {}))
local t = {[1] = {}, {}, {{}}}
collectgarbage()
print(#t, type(t[2][1]))
