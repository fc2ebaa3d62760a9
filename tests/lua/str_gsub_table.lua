-- gsub with a table: the first capture (or whole match) is the key; false/nil keep the match.
local function show(...)
  local t = table.pack(...)
  for i = 1, t.n do
    local v = t[i]
    t[i] = type(v) == "string" and string.format("%q", v) or tostring(v)
  end
  print(table.concat(t, " "))
end

show(string.gsub("alo alo", ".", {}))
show(string.gsub("alo alo", "(.)", {a = "AA", l = ""}))
show(string.gsub("alo alo", "(.).", {a = "AA", l = "K"}))
show(string.gsub("alo alo", "((.)(.?))", {al = "AA", o = false}))
show(string.gsub("alo alo", "().", {"x", "yy", "zzz"}))
show(string.gsub("$name is $age years", "%$(%w+)", {name = "Ana", age = 30}))
show(string.gsub("$name is $unknown", "%$(%w+)", {name = "Ana"}))
show(string.gsub("a b c", "%a", {a = 1, b = 2.5, c = false}))
show(string.gsub("1 2 3", "%d", {[1] = "one"}))
show(string.gsub("1 2 3", "%d", {["1"] = "one"}))
-- __index is honoured
local t = setmetatable({}, {__index = function(_, k) return k:upper() end})
show(string.gsub("a alo b hi", "%w%w+", t))
local calls = {}
local logged = setmetatable({x = "X"}, {__index = function(_, k) calls[#calls + 1] = k return nil end})
show(string.gsub("xyzx", ".", logged))
show(table.concat(calls, ","))
-- invalid values
show(pcall(string.gsub, "alo", ".", {a = {}}))
show(pcall(string.gsub, "alo", ".", {a = true}))
show(pcall(string.gsub, "alo", ".", {a = print}))
show(pcall(string.gsub, "alo", ".", {a = coroutine.create(print)}))
-- counts include matches left unchanged
show(string.gsub("abc", "%w", {b = "B"}))
show(string.gsub("abc", "%w", {b = "B"}, 1))
show(string.gsub("abc", "%w", {b = "B"}, 2))
