-- debug.getlocal/setlocal/getupvalue/setupvalue/upvalueid/upvaluejoin in detail.
local function params(a, b, c) end
print(debug.getlocal(params, 1), debug.getlocal(params, 2), debug.getlocal(params, 3), debug.getlocal(params, 4))
local function inspect(x, ...)
  local z = x * 2
  local names = {}
  local idx = 1
  while true do
    local name, val = debug.getlocal(1, idx)
    if not name then break end
    if name:sub(1, 1) ~= "(" then names[#names + 1] = name .. "=" .. (type(val) == "table" and "table" or tostring(val)) end
    idx = idx + 1
  end
  print(table.concat(names, " "))
  print(debug.getlocal(1, -1), debug.getlocal(1, -2), debug.getlocal(1, -3))
  print(debug.setlocal(1, 3, 99), z)
  print(debug.setlocal(1, 100, 0))
  print(debug.setlocal(1, -1, "va changed"), ...)
  do
    local inner = "scoped"
    local nm = debug.getlocal(1, 4)
    print(nm)
  end
end
inspect(21, "v1", "v2")
print(pcall(debug.getlocal, 100, 1))
print(pcall(debug.getlocal, 1))
print(pcall(debug.setlocal, 100, 1, 1))
print(pcall(debug.getlocal, {}, 1))
-- upvalues
local u1, u2 = "one", "two"
local function uses() return u1, u2 end
local function uses1() return u2 end
print(debug.getupvalue(uses, 1), debug.getupvalue(uses, 2))
print(debug.getupvalue(uses, 0), debug.getupvalue(uses, 3), debug.getupvalue(print, 1))
print(debug.setupvalue(uses, 2, "TWO"), u2, uses1())
print(debug.setupvalue(uses, 5, "x"))
print(debug.upvalueid(uses, 2) == debug.upvalueid(uses1, 1))
print(pcall(debug.upvalueid, uses, 3))
print(pcall(debug.upvalueid, print, 1))
debug.upvaluejoin(uses, 1, uses1, 1)
print(uses())
u2 = "changed"
print(uses())
print(pcall(debug.upvaluejoin, uses, 5, uses1, 1))
print(pcall(debug.getupvalue, 1, 1))
print(pcall(debug.setupvalue, uses, 1))
-- _ENV is an upvalue of the main chunk's functions
local function globalfn() return print end
local upname, upval = debug.getupvalue(globalfn, 1)
print(upname, upval == _ENV)
