-- A generic for's closing value is closed when the body returns, also with `return f()`,
-- which therefore is no tail call there (PUC Lua's insidetbc).
local closed = false
local function iter()
  return function() return true end, 0, 0,
         setmetatable({}, {__close = function() closed = true end})
end
local function tail() return closed end
local function f1()
  for _ in iter() do return tail() end
end
print(f1(), closed)

-- after the loop, a return is a tail call again (the traceback shows no f2 frame)
local function where() return debug.traceback("tb", 1) end
local function f2()
  for _ in iter() do break end
  return where()
end
print((f2():gsub("\n[^\n]*main chunk.*", "")))

-- a <close> variable stops tail calls only inside its block
local function f3()
  do
    local x <close> = setmetatable({}, {__close = function() print("closed x") end})
  end
  return where()
end
print((f3():gsub("\n[^\n]*main chunk.*", "")))
