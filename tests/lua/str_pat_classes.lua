-- Character classes over all 256 byte values (C locale semantics).
local all = {}
for i = 0, 255 do all[#all + 1] = string.char(i) end
all = table.concat(all)

local function members(p)
  local out = {}
  for c in string.gmatch(all, p) do out[#out + 1] = string.byte(c) end
  return out
end

local function summary(list)
  -- compress runs of consecutive byte values: "48-57,65-70"
  local parts, i = {}, 1
  while i <= #list do
    local j = i
    while j < #list and list[j + 1] == list[j] + 1 do j = j + 1 end
    parts[#parts + 1] = i == j and tostring(list[i]) or (list[i] .. "-" .. list[j])
    i = j + 1
  end
  return #list .. ": " .. table.concat(parts, ",")
end

for _, cl in ipairs({"a", "c", "d", "g", "l", "p", "s", "u", "w", "x", "z"}) do
  print("%" .. cl, summary(members("%" .. cl)))
  print("%" .. cl:upper(), summary(members("%" .. cl:upper())))
end
print(".", summary(members(".")))
-- escaped non-alphanumerics stand for themselves
for _, c in ipairs({".", "%", "(", ")", "[", "]", "*", "+", "-", "?", "^", "$"}) do
  print("%" .. c, summary(members("%" .. c)))
end
-- letters that are not classes match themselves
print("%q", summary(members("%q")), "%y", summary(members("%y")))
-- classes in sets
print("[%a%d]", summary(members("[%a%d]")))
print("[^%a%d]", summary(members("[^%a%d]")))
print("[%S]", summary(members("[%S]")))
print("[%w_]", summary(members("[%w_]")))
print(string.match("x \t\n\v\f\ry", "%s+") == " \t\n\v\f\r")
print(string.gsub("Hello, World! 123", "%p", "_"))
print(string.gsub("Hello, World! 123", "%A", ""))
print(string.gsub("tab\there", "%c", "^"))
print(string.gsub("MiXeD CaSe", "%u", string.lower))
