-- The init argument of find and match: negative, zero, past the end, huge values.
local function show(...)
  local t = table.pack(...)
  for i = 1, t.n do
    local v = t[i]
    t[i] = type(v) == "string" and string.format("%q", v) or tostring(v)
  end
  print(table.concat(t, " "))
end

local s = "hello"
for _, init in ipairs({-100, -6, -5, -4, -1, 0, 1, 2, 5, 6, 7, 100}) do
  show("find l", init, string.find(s, "l", init))
  show("find empty", init, string.find(s, "", init))
  show("match .", init, string.match(s, ".", init))
  show("match ()", init, string.match(s, "()", init))
  show("find plain", init, string.find(s, "lo", init, true))
end
show(string.find(s, "h", math.mininteger))
show(string.find(s, "h", math.maxinteger))
show(string.find(s, "o", -1))
show(string.match(s, "^h", 1))
show(string.match(s, "^e", 2))
show(string.match(s, "^e", 1))
show(string.find(s, "^", 6))
show(string.find(s, "$", 3))
show(string.find(s, "l", 3.0))
show(string.find(s, "l", "3"))
show(pcall(string.find, s, "l", 3.5))
show(pcall(string.find, s, "l", "x"))
show(pcall(string.find, s, "l", {}))
show(string.find("", "", 0))
show(string.find("", "", 1))
show(string.find("", "", 2))
show(string.find("", "", -1))
show(string.match("", ".*", 1))
show(string.match("", ".*", 2))
