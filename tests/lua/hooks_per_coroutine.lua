-- Hooks are per coroutine (set with a thread argument, none inherited), and natives have call
-- and return events (coroutine.yield's return fires when the coroutine is resumed).
local co = coroutine.create(function()
  coroutine.yield(10)
  return 20;
end)
local trace = {}
local function dotrace(event) trace[#trace + 1] = event end
debug.sethook(co, dotrace, "clr")
print(select(2, debug.gethook(co)))
print(debug.gethook())
repeat until not coroutine.resume(co)
print(table.concat(trace, " "))
debug.sethook(print, "l")
local co2 = coroutine.create(function() return debug.gethook() end)
print(select(2, coroutine.resume(co2)) == print)
debug.sethook()
print(debug.gethook())
