-- coroutine.close and coroutine interaction with <close>.
local log = {}
local function closer(name)
  return setmetatable({}, { __close = function(_, e) log[#log + 1] = name .. "(" .. tostring(e) .. ")" end })
end
-- closing a suspended coroutine runs pending <close> variables
local co = coroutine.create(function()
  local a <close> = closer("a")
  local b <close> = closer("b")
  coroutine.yield("suspended")
  log[#log + 1] = "never"
end)
print(coroutine.resume(co))
print(coroutine.status(co))
print(coroutine.close(co))
print(coroutine.status(co), table.concat(log, " "))
print(coroutine.resume(co))
-- closing a dead coroutine (finished normally)
log = {}
co = coroutine.create(function() return 1 end)
coroutine.resume(co)
print(coroutine.close(co))
-- closing a coroutine that died with an error returns false plus the error
co = coroutine.create(function() error("died", 0) end)
print(coroutine.resume(co))
print(coroutine.close(co))
print(coroutine.status(co))
co = coroutine.create(function() error({ tag = 1 }) end)
coroutine.resume(co)
local ok, e = coroutine.close(co)
print(ok, type(e), e.tag)
-- closing a never-started coroutine
co = coroutine.create(function() log[#log + 1] = "not run" end)
print(coroutine.close(co), coroutine.status(co), #log)
-- an error in a __close during coroutine.close
co = coroutine.create(function()
  local bad <close> = setmetatable({}, { __close = function() error("close boom", 0) end })
  local good <close> = closer("good")
  coroutine.yield()
end)
coroutine.resume(co)
log = {}
print(coroutine.close(co))
print(table.concat(log, " "), coroutine.status(co))
-- closing a running or normal coroutine is an error
local self_close
self_close = coroutine.create(function() return pcall(coroutine.close, self_close) end)
print(coroutine.resume(self_close))
print(pcall(coroutine.close, (coroutine.running())))
local outer
outer = coroutine.create(function()
  local inner = coroutine.create(function() return pcall(coroutine.close, outer) end)
  return coroutine.resume(inner)
end)
print(coroutine.resume(outer))
-- <close> in a coroutine that errors: NOT closed by the error itself (the dead
-- coroutine keeps its stack); coroutine.close then closes it with the error object
log = {}
co = coroutine.create(function()
  local c <close> = closer("c")
  coroutine.yield()
  error("late error", 0)
end)
coroutine.resume(co)
print(coroutine.resume(co))
print("after error:", #log)
print(coroutine.close(co))
print("after close:", table.concat(log, " "))
-- an error caught by pcall inside the coroutine does close the variables
log = {}
co = coroutine.create(function()
  pcall(function()
    local p <close> = closer("p")
    error("caught", 0)
  end)
  coroutine.yield("after pcall")
end)
print(coroutine.resume(co))
print(table.concat(log, " "))
-- wrap-created coroutines close their variables when finishing
log = {}
local w = coroutine.wrap(function()
  local x <close> = closer("x")
  coroutine.yield(1)
  return 2
end)
print(w(), #log, w(), table.concat(log, " "))
-- generic for with a coroutine iterator and a closing value, exited early
log = {}
local function gen()
  local cw = coroutine.wrap(function() for i = 1, 10 do coroutine.yield(i) end end)
  return cw, nil, nil, closer("gen")
end
for i in gen() do if i == 3 then break end end
print(table.concat(log, " "))
