-- Building strings with .. and table.concat.
local N = 300000
local total = 0
for r = 1, 2 do
  local parts = {}
  for i = 1, N do parts[#parts + 1] = "item" .. i .. ";" end
  local s = table.concat(parts)
  total = total + #s
  local acc = ""
  for i = 1, 20000 do acc = acc .. (i % 10) end
  total = total + #acc
  local t = {}
  for i = 1, N do t[i] = tostring(i * r) end
  total = total + #table.concat(t, ",")
  for i = 1, N // 2 do
    local x = "a" .. i .. "b" .. r .. "c"
    total = total + #x
  end
end
print("checksum", total)
