-- rawequal, rawlen, rawget, rawset bypass metamethods; their argument checks.
local mt = {
  __eq = function() return true end,
  __len = function() return 99 end,
  __index = function(_, k) return "idx:" .. tostring(k) end,
  __newindex = function(t, k, v) rawset(t, k, "nw:" .. tostring(v)) end,
}
local a, b = setmetatable({}, mt), setmetatable({}, mt)
print(a == b, rawequal(a, b), rawequal(a, a))
print(rawequal(1, 1.0), rawequal("x", "x"), rawequal(nil, nil), rawequal(0, -0))
print(#a, rawlen(a), rawlen({ 1, 2, 3 }), rawlen("hello"), rawlen(""))
print(a.foo, rawget(a, "foo"))
a.k = 1
print(rawget(a, "k"))
rawset(a, "r", 2)
print(rawget(a, "r"), rawset(a, "s", 3) == a, a.s)
rawset(a, 1.0, "float key")
print(rawget(a, 1), math.type(next({ [1.0] = true })))
print(pcall(rawequal, 1))
print(pcall(rawequal))
print(pcall(rawlen, 5))
print(pcall(rawlen, nil))
print(pcall(rawget, "str", 1))
print(pcall(rawget, {}))
print(rawget({}, nil))
print(pcall(rawset, {}, nil, 1))
print(pcall(rawset, {}, 0/0, 1))
print(pcall(rawset, 1, 1, 1))
print(pcall(rawset, {}, "k"))
