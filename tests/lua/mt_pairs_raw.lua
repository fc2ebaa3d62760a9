-- __pairs and raw access functions.
local function sorted(a)
  for i = 2, #a do
    local v = a[i]
    local j = i - 1
    while j >= 1 and a[j] > v do a[j + 1] = a[j]; j = j - 1 end
    a[j + 1] = v
  end
  return a
end
-- __pairs returning a custom iterator
local hidden = { a = 1, b = 2, _secret = 3 }
local public = setmetatable({}, { __pairs = function(t)
  return function(_, k)
    local nk, nv = next(hidden, k)
    while nk and nk:sub(1, 1) == "_" do nk, nv = next(hidden, nk) end
    return nk, nv
  end, t, nil
end })
local ks = {}
for k, v in pairs(public) do ks[#ks + 1] = k .. "=" .. v end
print(table.concat(sorted(ks), " "))
-- __pairs receives the table and its results (up to 3) are used
local got
local pp = setmetatable({}, { __pairs = function(t)
  got = t
  return function(s, c) if c < s then return c + 1, c * 10 end end, 3, 0
end })
local r = {}
for k, v in pairs(pp) do r[#r + 1] = k .. ":" .. v end
print(got == pp, table.concat(r, " "))
-- next ignores __pairs and __index
local withidx = setmetatable({ real = true }, { __index = { fake = true } })
local nk = {}
for k in next, withidx do nk[#nk + 1] = k end
print(table.concat(nk, ","))
-- ipairs respects __index (5.4)
local ip = setmetatable({}, { __index = function(_, i) if i <= 3 then return i * 11 end end })
local iv = {}
for i, v in ipairs(ip) do iv[#iv + 1] = v end
print(table.concat(iv, " "))
-- rawget/rawset/rawequal/rawlen
local mt = {
  __index = function() return "index" end,
  __newindex = function() error("newindex called") end,
  __len = function() return 100 end,
  __eq = function() return true end,
}
local t = setmetatable({}, mt)
local u = setmetatable({}, mt)
rawset(t, "k", "v")
rawset(t, 1, "one")
print(rawget(t, "k"), rawget(t, "nope"), t.nope, #t, rawlen(t), t == u, rawequal(t, u))
print(rawset(t, 2, "two") == t, rawlen(t))
print(rawequal("a", "a"), rawequal(1, 1.0), rawequal(0, -0), rawequal({}, {}), rawequal(nil, nil))
print(pcall(function() return rawget("str", 1) end))
print(pcall(function() return rawset({}, nil, 1) end))
print(pcall(function() return rawlen(42) end))
print(pcall(function() return rawequal(1) end))
print(rawlen({ 1, 2 }), rawlen("four"))
