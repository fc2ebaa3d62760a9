-- math.max/min: Lua comparison semantics (ints/floats mixed, strings, __lt), first wins on ties.
local function show(...)
  local out = {}
  for i = 1, select("#", ...) do
    local v = select(i, ...)
    out[#out + 1] = tostring(v) .. ":" .. (math.type(v) or type(v))
  end
  print(table.concat(out, " "))
end
show(math.max(1), math.max(1, 2, 3), math.max(3, 2, 1), math.max(-1, -2.5))
show(math.max(2, 2.0), math.max(2.0, 2), math.min(2, 2.0), math.min(2.0, 2))
show(math.max(0.0, -0.0), math.max(-0.0, 0.0), math.min(0.0, -0.0), math.min(-0.0, 0.0))
show(math.max(1, 2.5, 2), math.min(1, 0.5, 2), math.max(math.maxinteger, 2^63), math.min(math.mininteger, -2^63))
show(math.max(math.maxinteger, math.maxinteger + 0.0), math.min(math.mininteger + 0.0, math.mininteger))
show(math.max(1, 0/0) , math.min(1, 0/0))
print(math.max(0/0, 1) ~= math.max(0/0, 1))
show(math.max("10", "9"), math.min("10", "9"), math.max("a", "b", "ab"))
local mt = {__lt = function(a, b) return a.v < b.v end, __tostring = function(s) return "obj" .. s.v end}
local o1, o2, o3 = setmetatable({v = 1}, mt), setmetatable({v = 3}, mt), setmetatable({v = 2}, mt)
print(tostring(math.max(o1, o2, o3)), tostring(math.min(o2, o1, o3)))
print(pcall(math.max))
print(pcall(math.min))
print(pcall(math.max, 1, "x"))
print(pcall(math.min, "x", 1))
print(pcall(math.max, {}, 1))
print(pcall(math.max, 1, nil))
print(type(math.max({})))
show(math.min("only"))
