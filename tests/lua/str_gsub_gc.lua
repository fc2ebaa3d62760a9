-- gsub and gmatch keep their strings alive while callbacks allocate and collect.
local n = 0
local r = string.gsub(string.rep("x", 500), ".", function(c)
  n = n + 1
  local t = {}
  for i = 1, 10 do t[i] = c .. i .. string.rep("y", i) end
  if n % 50 == 0 then collectgarbage() end
  return c:upper()
end)
print(#r, n, r:sub(1, 10))
print(string.gsub(12345, "%d", function(d) collectgarbage() return d * 2 end))
print(string.gsub(1.5, "%d", function(d) collectgarbage() return "<" .. d .. ">" end))
local it
do
  local s = string.rep("ab", 100) .. "xyz"
  it = s:gmatch("x(.)")
end
collectgarbage()
collectgarbage()
print(it(), it())
local parts = {}
for w in (string.rep("word ", 200)):gmatch("%a+") do
  parts[#parts + 1] = w
  if #parts % 40 == 0 then collectgarbage() end
end
print(#parts, parts[1], parts[200])
-- nested gsubs
print(string.gsub("a(b(c)d)e", "%b()", function(s)
  return (s:sub(2, -2):gsub("%b()", function(t) collectgarbage() return "[" .. t:upper() .. "]" end))
end))
-- table replacements with __index functions that allocate
local t = setmetatable({}, {__index = function(_, k) collectgarbage() return k:rep(2) end})
print(string.gsub("abc def", "%a+", t))
-- format with __tostring that allocates
local obj = setmetatable({}, {__tostring = function() collectgarbage() return string.rep("o", 3) end})
print(string.format("%s|%5s|%-5s|%.2s", obj, obj, obj, obj))
