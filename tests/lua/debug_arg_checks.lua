-- debug library argument handling that differs from PUC Lua 5.4.
print(pcall(debug.getlocal, print, 1))                     -- native function: no parameters -> nil
print(pcall(debug.getinfo, "x"))                       -- level must be an integer
print(pcall(debug.getinfo))
print(pcall(debug.getinfo, print, ">S"))               -- '>' is rejected with its own message
print(pcall(debug.setmetatable))                       -- arg #2 is required
print(select("#", debug.getuservalue(1)))              -- non-userdata: a single fail value
print(pcall(debug.sethook, print))                     -- a hook function needs a mask string
local u1 = 1
local function uses() return u1 end
local cl = string.gmatch("a", "a")                     -- a native closure with upvalues
print(pcall(debug.upvaluejoin, uses, 1, cl, 1))        -- blames argument #3, not #1
print(pcall(debug.upvaluejoin, uses, 1, print, 1))     -- print has no upvalue 1: argument #4
