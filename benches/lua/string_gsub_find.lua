-- Pattern matching: string.gsub/find/match/gmatch with captures, classes,
-- anchors, %b, %f, plain find, and function/table/string replacements.
local parts = {}
local words = { "alpha", "Beta", "gamma42", "delta", "EPSILON", "zeta_7", "eta", "theta" }
for i = 1, 400 do
  local w = words[i % #words + 1]
  parts[#parts + 1] = string.format("%s=%d; (%s [x%d]) key_%d:%d.%d, ", w, i * 37 % 1000, w, i, i, i % 60, i % 13)
end
local text = table.concat(parts)
local lines = {}
for i = 1, 200 do
  lines[i] = string.format("  %d,  item-%d , %s , %d.%d  ", i, i * 3, words[i % #words + 1], i % 17, i % 7)
end

local h = 0
local function mix(n) h = (h * 31 + n) % 1000000007 end

local upper = { alpha = "A", delta = "D", eta = "E", theta = "T" }
local R = 300
for r = 1, R do
  -- gsub with string replacement and captures
  local s, n = text:gsub("(%w+)=(%d+)", "%2=%1")
  mix(#s + n)
  -- gsub with function replacement
  s, n = text:gsub("%d+", function(d) return tostring(tonumber(d) + r) end)
  mix(#s + n)
  -- gsub with table replacement (misses keep the original)
  s, n = text:gsub("%a+", upper)
  mix(#s + n)
  -- balanced match and frontier pattern
  s, n = text:gsub("%b()", "")
  mix(#s + n)
  s, n = text:gsub("%f[%w]%w+", "w", 500)
  mix(#s + n)
  -- gmatch over key/value pairs
  local sum = 0
  for k, a, b in text:gmatch("key_(%d+):(%d+)%.(%d+)") do
    sum = sum + tonumber(k) + tonumber(a) * tonumber(b)
  end
  mix(sum)
  -- find: plain, pattern, with init, anchored
  local pos, cnt = 1, 0
  while true do
    local i, j = text:find("gamma42", pos, true)
    if not i then break end
    cnt = cnt + 1
    pos = j + 1
  end
  mix(cnt)
  pos, cnt = 1, 0
  while true do
    local i, j, cap = text:find("%[x(%d+)%]", pos)
    if not i then break end
    cnt = cnt + #cap
    pos = j + 1
  end
  mix(cnt)
  -- match per line: trim and split CSV-ish fields
  for i = 1, #lines do
    local line = lines[i]
    local trimmed = line:match("^%s*(.-)%s*$")
    local a, b, c, d, e = trimmed:match("^(%d+),%s*item%-(%d+)%s*,%s*([%w_]+)%s*,%s*(%d+)%.(%d+)$")
    mix(#trimmed + tonumber(a) + tonumber(b) + #c + tonumber(d) + tonumber(e))
    local fields = 0
    for f in line:gmatch("[^,]+") do fields = fields + #f end
    mix(fields)
    mix(line:find("item", 1, true) + (line:find("^%s+%d") or 0))
    if line:match("[Ee][Tt][Aa]") then mix(1) end
  end
  -- position captures and empty matches
  s, n = ("abc"):rep(200):gsub("()", "%1")
  mix(#s + n)
  s, n = text:gsub("%s*;%s*", ";")
  mix(#s + n)
  s, n = string.gsub("hello world from lua", "(%w+) (%w+)", "%2 %1")
  mix(#s + n + s:byte(1))
end
print("R", R, "len", #text, "hash", h)
print(text:sub(1, 60))
print((text:gsub("%d+", "#")):sub(1, 60))
print(string.find("a.b.c", ".", 1, true), string.find("a+b", "+", 1, true), string.match("  x  ", "^%s*(.-)%s*$"))
print(string.gsub("abc", "", "-"), string.match("key = value", "(%w+)%s*=%s*(%w+)"))
print(string.format("%q", (string.gsub("THE (quick) fox", "%f[%a]%a+", function(w) return w:lower() end))))
