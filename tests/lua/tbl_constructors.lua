-- Table constructors.
local function sorted_keys(t)
  local keys = {}
  for k in pairs(t) do keys[#keys + 1] = k end
  for i = 2, #keys do
    local v = keys[i]
    local j = i - 1
    local function lt(a, b)
      local ta, tb = type(a), type(b)
      if ta ~= tb then return ta < tb end
      if ta == "number" or ta == "string" then return a < b end
      return tostring(a) < tostring(b)
    end
    while j >= 1 and lt(v, keys[j]) do
      keys[j + 1] = keys[j]
      j = j - 1
    end
    keys[j + 1] = v
  end
  return keys
end
local function dump(t)
  local parts = {}
  local keys = sorted_keys(t)
  for i = 1, #keys do
    local k = keys[i]
    local v = t[k]
    if type(v) == "table" then v = dump(v) end
    parts[#parts + 1] = tostring(k) .. "=" .. tostring(v)
  end
  return "{" .. table.concat(parts, ", ") .. "}"
end

print(dump({}))
print(dump({ 1, 2, 3 }))
print(dump({ 1, 2, 3, }))
print(dump({ 1; 2; 3; }))
print(dump({ x = 1, y = 2 }))
print(dump({ [1] = "a", [2] = "b", [10] = "j" }))
print(dump({ "pos1", name = "n", "pos2", [10] = "ten", "pos3" }))
print(dump({ ["key with spaces"] = 1, [true] = "t", [false] = "f", [1.5] = "float" }))
print(dump({ [2.0] = "two", [3] = "three" }))
print(dump({ nested = { deep = { deeper = { 1, 2 } } } }))
local function three() return 1, 2, 3 end
local function none() end
print(dump({ three() }))
print(dump({ (three()) }))
print(dump({ three(), three() }))
print(dump({ three(), 10 }))
print(dump({ 0, three() }))
print(dump({ none() }), #{ none() })
print(dump({ none(), 5 }))
print(dump({ x = three() }))
local function va(...) return { ... } end
print(dump(va()), dump(va(1, 2)), dump(va(nil, 2)))
local function va2(...) return { ..., "end" } end
print(dump(va2(1, 2, 3)))
local function va3(...) return { n = select("#", ...), ... } end
print(dump(va3(7, 8, 9)))
-- #t on constructed sequences
print(#{ 1, 2, 3 }, #{ three() }, #{ three(), three() }, #{ "a", "b", x = 1 })
-- a big constructor (more than 50 elements spans multiple SETLIST batches)
local big = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20,
  21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40,
  41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 60, three() }
print(#big, big[50], big[51], big[60], big[61], big[63])
local sum = 0
for i = 1, #big do sum = sum + big[i] end
print(sum)
-- expressions as keys and values
local k = "dyn"
local t = { [k .. "amic"] = 1 + 1, [#k] = k:upper(), [k] = { k } }
print(dump(t))
-- constructor values are evaluated in order
local order = {}
local function note(x) order[#order + 1] = x; return x end
local _ = { note("a"), note("b"), key = note("c"), [note("d")] = note("e"), note("f") }
print(table.concat(order, " "))
-- nil values in constructors
local holes = { nil, nil, 3 }
print(holes[1], holes[2], holes[3])
local named_nil = { a = nil, b = 2 }
print(named_nil.a, named_nil.b, next({ a = nil }))
print(pcall(function() return { [nil] = 1 } end))
print(pcall(function() return { [0/0] = 1 } end))
