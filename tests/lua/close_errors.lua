-- More <close> error cases and interaction with pcall/coroutines.
local function mk(name, log)
  return setmetatable({}, { __close = function(_, e)
    log[#log + 1] = name .. ":" .. tostring(e)
  end })
end
-- non-closable value errors mention the variable name
print(pcall(function() local res <close> = {} end))
print(pcall(function() local v1 <close> = nil; local v2 <close> = 1 end))
-- __close metamethod removed after declaration: error when closing
local log = {}
local ok, err = pcall(function()
  local mt = { __close = function() log[#log + 1] = "closed" end }
  local obj <close> = setmetatable({}, mt)
  mt.__close = nil
end)
print(ok, err)
-- closes happen even when an error is thrown in a nested call
log = {}
local function inner() error("inner fails", 0) end
ok, err = pcall(function()
  local a <close> = mk("outer", log)
  inner()
end)
print(ok, err, table.concat(log, " "))
-- chained errors in several __close: last error wins and each sees the previous one
log = {}
ok, err = pcall(function()
  local a <close> = setmetatable({}, { __close = function(_, e) log[#log + 1] = "a saw " .. tostring(e); error("err-a", 0) end })
  local b <close> = setmetatable({}, { __close = function(_, e) log[#log + 1] = "b saw " .. tostring(e); error("err-b", 0) end })
  error("start", 0)
end)
print(ok, err)
print(table.concat(log, " | "))
-- a closed value is closed exactly once even if the block is left by error
log = {}
for round = 1, 2 do
  pcall(function()
    local c <close> = mk("round" .. round, log)
    if round == 2 then error("r2", 0) end
  end)
end
print(table.concat(log, " "))
-- <close> in a coroutine that finishes normally
log = {}
local co = coroutine.create(function()
  local c <close> = mk("co", log)
  coroutine.yield("yielded")
  return "finished"
end)
print(coroutine.resume(co))
print(#log)
print(coroutine.resume(co))
print(table.concat(log, " "))
-- const and close together
do
  local k <const> = 5
  local c <close> = mk("k" .. k, log)
end
print(log[#log])
