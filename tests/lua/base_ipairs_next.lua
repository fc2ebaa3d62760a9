-- ipairs with __index, next with explicit keys, pairs with __pairs.
local proxy = setmetatable({}, { __index = function(_, i) if i <= 4 then return i * 10 end end })
for i, v in ipairs(proxy) do io.write(i, "=", v, " ") end
print()
local holes = { 1, 2, nil, 4 }
for i, v in ipairs(holes) do io.write(i, "=", v, " ") end
print()
local it, state, init = ipairs({})
print(type(it), type(state), init)
print(it({ "a", "b" }, 0), it({ "a", "b" }, 1), it({ "a", "b" }, 2))
print(next({}), next({ 10 }), next({ 10 }, 1))
local t = { "x", "y", "z" }
print(next(t, 2), next(t, 3))
print(pcall(next, t, "nope"))
print(pcall(next, {}, 1))
print(pcall(next))
print(pcall(ipairs))
print(pcall(pairs))
print(pcall(function() for k in ipairs(1) do end end))
local p = setmetatable({}, { __pairs = function(self)
  local n = 0
  return function() n = n + 1; if n <= 3 then return n, n * n end end, self, nil
end })
for k, v in pairs(p) do io.write(k, ":", v, " ") end
print()
-- pairs returns next for tables without __pairs
local f, s, k = pairs(t)
print(f == next, s == t, k)
-- sorted traversal of a hash table
local h = { banana = 3, apple = 1, cherry = 2, [1] = "one", [2.5] = "float" }
local keys = {}
for key in pairs(h) do keys[#keys + 1] = tostring(key) end
table.sort(keys)
print(table.concat(keys, ","))
-- clearing fields during traversal is allowed
local c = { a = 1, b = 2, c = 3, d = 4 }
local n = 0
for key in pairs(c) do c[key] = nil; n = n + 1 end
print(n, next(c))
