-- os.date with "!" (UTC) and fixed times: every C99 conversion, "*t"/"!*t" tables.
local times = {0, 86400 * 365, 951782400, 1234567890, 1700000000, -86400, 4102444799, 2^31, -2^31}
local convs = {"a", "A", "b", "B", "c", "C", "d", "D", "e", "F", "g", "G", "h", "H", "I", "j",
  "m", "M", "n", "p", "r", "R", "S", "t", "T", "u", "U", "V", "w", "W", "x", "X", "y", "Y", "z",
  "Z", "%", "Ec", "EC", "Ex", "EX", "Ey", "EY", "Od", "Oe", "OH", "OI", "Om", "OM", "OS", "Ou",
  "OU", "OV", "Ow", "OW", "Oy"}
for _, t in ipairs(times) do
  local out = {}
  for _, c in ipairs(convs) do out[#out + 1] = c .. "=" .. os.date("!%" .. c, t) end
  print(t, table.concat(out, "|"))
end
print(os.date("!%Y-%m-%d %H:%M:%S", 0), os.date("!", 5), os.date("!plain text", 5))
print(os.date("!%Y%%%m\0%d", 86400))
print(#os.date("!%c"), type(os.date()), type(os.date("%c")))
local function showt(t)
  local keys = {}
  for k in pairs(t) do keys[#keys + 1] = k end
  table.sort(keys)
  local out = {}
  for _, k in ipairs(keys) do out[#out + 1] = k .. "=" .. tostring(t[k]) end
  print(table.concat(out, " "))
end
showt(os.date("!*t", 0))
showt(os.date("!*t", 1234567890))
showt(os.date("!*t", -1))
showt(os.date("!*t", 951782400))
showt(os.date("!*t\0ignored", 3600))
print(os.date("!%H", "3600"), os.date("!%H", 7200.0))
-- the local "*t" table has the same fields
local lt = os.date("*t", 0)
print(type(lt.year), type(lt.isdst), lt.month ~= nil)
-- the year field is as large as C's int allows
print(os.date("!%Y", 2^55))
