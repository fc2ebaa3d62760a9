-- <close> variables: order and triggers.
local log = {}
local function closer(name)
  return setmetatable({ name = name }, {
    __close = function(self, err)
      log[#log + 1] = self.name .. "(" .. tostring(err) .. ")"
    end,
  })
end
local function flush(label)
  print(label, table.concat(log, " "))
  log = {}
end
-- reverse order at block end
do
  local a <close> = closer("a")
  local b <close> = closer("b")
  local c <close> = closer("c")
  log[#log + 1] = "body"
end
flush("block")
-- closing on return, values are returned first
local function ret()
  local x <close> = closer("x")
  return "returned"
end
print(ret())
flush("return")
-- closing on break
for i = 1, 3 do
  local l <close> = closer("loop" .. i)
  if i == 2 then break end
end
flush("break")
-- closing on goto out of block
do
  do
    local g <close> = closer("g")
    goto out
  end
  ::out::
end
flush("goto")
-- nil and false are allowed and ignored
do
  local n <close> = nil
  local f <close> = false
  local real <close> = closer("real")
end
flush("nil/false")
-- error propagating through closes: error object passed as 2nd argument
local ok, err = pcall(function()
  local e1 <close> = closer("e1")
  local e2 <close> = closer("e2")
  error("boom", 0)
end)
print(ok, err)
flush("error")
-- error with a table value
local errobj = { code = 42 }
ok, err = pcall(function()
  local t <close> = setmetatable({}, { __close = function(_, e) log[#log + 1] = "got code " .. e.code end })
  error(errobj)
end)
print(ok, err == errobj)
flush("table error")
-- closing value that is a non-closable value
print(pcall(function() local x <close> = {} end))
print(pcall(function() local y <close> = 42 end))
print(pcall(function() local z <close> = "str" end))
-- error in a __close replaces the error being propagated
ok, err = pcall(function()
  local a <close> = setmetatable({}, { __close = function() error("close error", 0) end })
  error("original", 0)
end)
print(ok, err)
-- error in __close during normal exit
ok, err = pcall(function()
  local a <close> = setmetatable({}, { __close = function() error("close failed", 0) end })
  local b <close> = closer("b-still-closed")
  return 1
end)
print(ok, err)
flush("close error")
-- multiple returns with close
local function multi()
  local m <close> = closer("m")
  return 1, 2, 3
end
print(multi())
flush("multi")
-- tail call position: a function with tbc variables does not do a real tail call
local function tail()
  local t <close> = closer("t")
  return ret()
end
print(tail())
flush("tail")
-- closing variable in a loop body closes every iteration
for i = 1, 3 do
  local it <close> = closer("it" .. i)
end
flush("each iteration")
-- __close receives nil as error on normal exit; value captured at declaration
do
  local holder = closer("first")
  local h <close> = holder
  holder = closer("second")
end
flush("captured")
-- generic for closes its 4th value
local function closing_iter()
  local i = 0
  return function() i = i + 1; if i <= 2 then return i end end, nil, nil, closer("forclose")
end
for i in closing_iter() do log[#log + 1] = "iter" .. i end
flush("for normal")
for i in closing_iter() do log[#log + 1] = "iter" .. i; break end
flush("for break")
