-- floor/ceil/abs: integer results when representable, floats otherwise; strings coerced.
local function show(...)
  local out = {}
  for i = 1, select("#", ...) do
    local v = select(i, ...)
    out[#out + 1] = tostring(v) .. ":" .. tostring(math.type(v))
  end
  print(table.concat(out, " "))
end
show(math.floor(3.7), math.floor(-3.7), math.floor(3), math.floor(-0.0), math.floor(0.5))
show(math.ceil(3.2), math.ceil(-3.2), math.ceil(3), math.ceil(-0.5), math.ceil(1e-300))
show(math.floor(2^62), math.floor(2^63), math.floor(-2^63), math.floor(-2^63 - 2048))
show(math.ceil(2^63 - 1024), math.ceil(2^63), math.ceil(-2^63), math.ceil(1e100))
show(math.floor(1/0), math.floor(-1/0), math.ceil(1/0), math.ceil(-1/0))
show(math.floor(0/0) ~= math.floor(0/0), math.ceil(0/0) ~= math.ceil(0/0))
show(math.floor("3.7"), math.floor("3"), math.ceil("-3.5"), math.floor(" 0x10 "), math.floor("1e2"))
show(math.floor(math.maxinteger), math.ceil(math.mininteger), math.floor(-math.maxinteger))
show(math.abs(-3), math.abs(3), math.abs(-3.5), math.abs(-0.0), math.abs(math.mininteger))
show(math.abs("-3"), math.abs("-3.25"), math.abs(-1/0), math.abs(-2^63))
local function try(...) print(pcall(...)) end
try(math.floor)
try(math.floor, "x")
try(math.floor, {})
try(math.ceil, nil)
try(math.abs)
try(math.abs, "1x")
