-- A suspended coroutine's register file is shrunk to its top frame's window; a lower frame
-- with a bigger window then writes past the end when the coroutine is resumed.
local args = {} for i = 1, 240 do args[i] = i end
local F = load("local G, h = ... return function() local x = G() return h(x, "
  .. table.concat(args, ",") .. ") end")(function() coroutine.yield() return 1 end, select)
local function deep(n) if n == 0 then return 0 end return 1 + deep(n - 1) end
local locals = {} for i = 1, 98 do locals[i] = "v" .. i end
local body = load("local F, deep = ... return function() deep(400) local "
  .. table.concat(locals, ",") .. " local r = F() return r end")(F, deep)
local co = coroutine.create(body)
coroutine.resume(co)       -- grows the register file past 512 slots, then yields in G
collectgarbage()           -- shrinks it to 256: F's window (slots 100..343) is cut
print(coroutine.resume(co)) -- F stores 240 arguments past the end of the Vec
