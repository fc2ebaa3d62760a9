-- Variadic functions and select.
local function count(...) return select("#", ...) end
print(count(), count(nil), count(nil, nil), count(1, nil, 3, nil))
local function all(...) return ... end
print(all(1, 2, 3))
print(all())
print((all(1, 2, 3)))
print(all(1, 2, 3), "end")
print("start", all(1, 2, 3))
print(select(1, "a", "b", "c"))
print(select(2, "a", "b", "c"))
print(select(3, "a", "b", "c"))
print(select(4, "a", "b", "c"))
print(select(-1, "a", "b", "c"))
print(select(-2, "a", "b", "c"))
print(select(-3, "a", "b", "c"))
print(select("2", "a", "b", "c"))
print(pcall(function() return select(-4, "a", "b", "c") end))
print(pcall(function() return select(0, "a") end))
print(pcall(function() return select("x") end))
print(pcall(function() return select() end))
-- varargs in the middle are truncated to one value
local function mid(...) return ..., "last" end
print(mid(1, 2, 3))
print(mid())
-- table.pack(...).n counts nils
local function packn(...) return table.pack(...).n end
print(packn(), packn(nil), packn(1, nil), packn(nil, nil, nil))
-- iterating over varargs including nils
local function list(...)
  local parts = {}
  for i = 1, select("#", ...) do
    local v = select(i, ...)
    parts[#parts + 1] = tostring(v)
  end
  return table.concat(parts, ",")
end
print(list(1, nil, "x", nil, false))
-- ... in a table constructor
local function tab(...) local t = { ... }; return #t, t[1], t[2] end
print(tab("p", "q"))
-- forwarding varargs through several calls
local function f3(...) return count(...), ... end
local function f2(...) return f3(0, ...) end
local function f1(...) return f2(...) end
print(f1("a", nil))
-- named parameters plus varargs
local function named(a, b, ...)
  return a, b, select("#", ...), ...
end
print(named(1))
print(named(1, 2, 3, 4))
-- varargs in main chunk (script arguments): none when run without args
print(select("#", ...))
-- local assignment from varargs
local function locs(...)
  local a, b, c = ...
  return a, b, c
end
print(locs(1, 2))
print(locs(1, 2, 3, 4))
-- varargs captured by adjusting to a table in a closure
local function capture(...)
  local saved = table.pack(...)
  return function() return table.unpack(saved, 1, saved.n) end
end
local c = capture(1, nil, 3)
print(c())
print(count(c()))
-- a vararg function with many arguments
local function sum(...)
  local s = 0
  for i = 1, select("#", ...) do s = s + (select(i, ...)) end
  return s
end
print(sum(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20))
local big = {}
for i = 1, 200 do big[i] = i end
print(sum(table.unpack(big)), count(table.unpack(big)))
-- string methods with varargs
print(string.format("%s %s %s", all("x", "y", "z")))
