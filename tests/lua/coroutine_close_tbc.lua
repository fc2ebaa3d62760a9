-- coroutine.close with pending to-be-closed variables, errors and statuses.
local log = {}
local function closer(name)
  return setmetatable({}, { __close = function(_, err) log[#log + 1] = name .. "(" .. tostring(err) .. ")" end })
end
local co = coroutine.create(function()
  local a <close> = closer("a")
  local b <close> = closer("b")
  coroutine.yield(1)
  log[#log + 1] = "not reached"
end)
print(coroutine.resume(co))
print(coroutine.status(co), coroutine.close(co), coroutine.status(co))
print(table.concat(log, " "))
print(coroutine.close(co))
print(coroutine.resume(co))
-- an error in __close is returned by close
log = {}
co = coroutine.create(function()
  local a <close> = closer("a")
  local bad <close> = setmetatable({}, { __close = function() error("close failed") end })
  coroutine.yield()
end)
coroutine.resume(co)
print(coroutine.close(co))
print(table.concat(log, " "), coroutine.status(co))
-- closing a coroutine that died with an error returns that error
co = coroutine.create(function() error({ code = 5 }) end)
local ok, e = coroutine.resume(co)
print(ok, type(e), e.code)
local ok2, e2 = coroutine.close(co)
print(ok2, type(e2), e2 and e2.code)
co = coroutine.create(function() error("str err") end)
coroutine.resume(co)
print(coroutine.close(co))
-- a never-started coroutine closes fine
print(coroutine.close(coroutine.create(print)))
-- cannot close a running or normal coroutine
print(pcall(coroutine.close, coroutine.running()))
local outer
outer = coroutine.create(function()
  local inner = coroutine.create(function() return coroutine.close(outer) end)
  return coroutine.resume(inner)
end)
print(coroutine.resume(outer))
co = coroutine.create(function() return pcall(coroutine.close, (coroutine.running())) end)
print(coroutine.resume(co))
print(pcall(coroutine.close))
print(pcall(coroutine.close, 1))
