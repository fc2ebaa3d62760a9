-- string.len, string.reverse, string.upper, string.lower.
print(string.len(""), string.len("abc"), string.len("a\0b"), ("\0\0"):len(), #"\u{10FFFF}")
print(string.len(123), string.len(1.5), string.len(-0.0))
print(string.reverse("abc"), string.reverse(""), string.reverse("a"), string.reverse(123))
print(string.reverse("a\0b"):byte(1, -1))
print(string.upper("MiXeD 123 äö"), string.lower("MiXeD 123 ÄÖ"))
print(string.upper(""), string.lower("ABC\0DEF"):byte(1, -1))
print(string.upper(12), string.lower(1e3))
local all = {}
for i = 0, 255 do all[#all + 1] = string.char(i) end
local s = table.concat(all)
local up, low = s:upper(), s:lower()
local changedU, changedL = 0, 0
for i = 1, 256 do
  if up:byte(i) ~= s:byte(i) then changedU = changedU + 1 end
  if low:byte(i) ~= s:byte(i) then changedL = changedL + 1 end
end
print(#up, #low, changedU, changedL, up:sub(98, 123), low:sub(66, 91))
print(pcall(string.len))
print(pcall(string.len, {}))
print(pcall(string.reverse))
print(pcall(string.upper, nil))
print(pcall(string.lower, true))
