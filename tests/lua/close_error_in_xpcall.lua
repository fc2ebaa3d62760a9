-- An error raised by __close while unwinding to an xpcall replaces the error and goes through
-- the message handler too.
local function closer(f) return setmetatable({}, {__close = f}) end
local function foo()
  do
    local x1 <close> = closer(function(_, msg) print("x1 got", msg) error("@Y") end)
    local x2 <close> = closer(function(_, msg) print("x2 got", msg) error("@X") end)
  end
end
print(xpcall(foo, function(m) return "H(" .. tostring(m) .. ")" end))

local function bar()
  local a <close> = closer(function(_, msg) print("a got", msg) error({code = 1}) end)
  local b <close> = closer(function(_, msg) print("b got", msg) end)
  error("first")
end
local ok, e = xpcall(bar, function(m) return type(m) == "table" and "table " .. m.code or "H:" .. m end)
print(ok, e)
local ok2, e2 = pcall(bar)
print(ok2, type(e2), e2.code)
