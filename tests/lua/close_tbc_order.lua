-- to-be-closed variables: order, error values passed to __close, interaction with break/return/goto.
local log = {}
local function tbc(name)
  return setmetatable({}, { __close = function(_, e) log[#log + 1] = name .. (e and ("[" .. tostring(e):gsub("^.-:%d+: ", "") .. "]") or "") end })
end
local function flush() print(table.concat(log, " ")); log = {} end
do
  local a <close> = tbc("a")
  local b <close> = tbc("b")
  local c <close> = nil
  local d <close> = false
end
flush()
for i = 1, 3 do
  local x <close> = tbc("loop" .. i)
  if i == 2 then break end
end
flush()
local function ret()
  local r <close> = tbc("r")
  return "returned"
end
print(ret())
flush()
print(pcall(function()
  local e1 <close> = tbc("e1")
  local e2 <close> = tbc("e2")
  error("oops")
end))
flush()
print(pcall(function()
  local e1 <close> = tbc("outer")
  local e2 <close> = setmetatable({}, { __close = function() error("close error") end })
  error("original")
end))
flush()
do
  local n = 0
  ::again::
  do
    local g <close> = tbc("goto" .. n)
    n = n + 1
    if n < 3 then goto again end
  end
end
flush()
print(pcall(function() local bad <close> = {} end))
print(pcall(function() local bad <close> = 42 end))
print(pcall(function() local bad <close> = setmetatable({}, { __index = {} }) end))
-- a generic for closes its 4th value
local function iter()
  return function(_, i) if i < 3 then return i + 1 end end, nil, 0, tbc("forclose")
end
for i in iter() do if i == 2 then break end end
flush()
for i in iter() do end
flush()
