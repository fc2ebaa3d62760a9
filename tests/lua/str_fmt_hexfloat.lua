-- %a and %A: hexadecimal floats.
local values = {0.0, -0.0, 1, -1, 0.5, 0.1, -0.1, 1/3, 255.5, 1e300, 1e-300, 2^53, 2^-1074, 3e-20,
  math.maxinteger, math.mininteger, 1/0, -1/0, 1e308 * 10, "1.5", "0x10"}
local specs = {"%a", "%A", "%.0a", "%.1a", "%.3a", "%.13a", "%20a", "%-20a|", "%+a", "% a", "%#a", "%020a", "%+.2A"}
for _, spec in ipairs(specs) do
  local out = {}
  for _, v in ipairs(values) do
    local ok, r = pcall(string.format, spec, v)
    out[#out + 1] = ok and ("[" .. r .. "]") or ("ERR " .. r)
  end
  print(spec .. " " .. table.concat(out, " "))
end
-- round trips
for _, n in ipairs({0.1, -0.1, 1/3, -1/3, 1e30, -1e30, -45/247, 1, -1, 2, -2, 3e-20, -3e-20}) do
  local s = string.format("%a", n)
  local S = string.format("%A", n)
  print(s, S, tonumber(s) == n, tonumber(S) == n)
end
print(pcall(string.format, "%a", "x"))
print(pcall(string.format, "%a"))
print(pcall(string.format, "%100a", 1))
print(pcall(string.format, "%.100a", 1))
