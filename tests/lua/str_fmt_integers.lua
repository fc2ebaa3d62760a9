-- string.format integer conversions: %d %i %u %o %x %X %c with flags, widths, precisions.
local values = {0, 1, -1, 42, -42, 255, 65535, 2^31, -2^31, 2^53, math.maxinteger, math.mininteger, 3.0, "17", "0x10"}
local specs = {"%d", "%i", "%u", "%o", "%x", "%X", "%5d", "%-5d|", "%05d", "%+d", "% d", "%+5d", "%-+5d|",
  "%.3d", "%8.3d", "%-8.3d|", "%.0d", "%#o", "%#x", "%#X", "%#10x", "%-#10x|", "%08x", "%#08x", "%.5x",
  "%99d", "%.99d", "%+.2i", "%05u", "%-5u|", "%2.1o"}
for _, spec in ipairs(specs) do
  local out = {}
  for _, v in ipairs(values) do
    local ok, r = pcall(string.format, spec, v)
    out[#out + 1] = ok and ("[" .. r .. "]") or ("ERR " .. r)
  end
  local line = spec .. " " .. table.concat(out, " ")
  if #line > 400 then line = spec .. " len=" .. #line .. " " .. line:sub(1, 40) end
  print(line)
end
print(string.format("%c%c%c", 76, 117, 97))
print(string.format("[%5c][%-5c][%c]", 65, 66, 67))
print(string.format("%c", 0) == "\0", #string.format("%c", 0))
print(string.format("%c", 256 + 65), string.format("%c", -191))
print(string.format("%c", 200):byte())
print(string.format("%d%%", 50), string.format("%%d"), pcall(string.format, "%5%"), pcall(string.format, "%5%", 1))
print(string.format("%x %X %o", -1, -1, -1))
print(string.format("%d", -0.0), string.format("%d", 1e15), string.format("%x", 2^60))
print(string.format("%.3d|%.0d|%.d", 0, 0, 0))
print(string.format("%3d|%-3d|%03d", 12345, 12345, 12345))
print(pcall(string.format, "%d", 2^63))
print(pcall(string.format, "%d", 1.5))
print(pcall(string.format, "%d", "1.5"))
print(pcall(string.format, "%x", -0.5))
print(pcall(string.format, "%d", "x"))
print(pcall(string.format, "%d", nil))
print(pcall(string.format, "%d", {}))
print(pcall(string.format, "%c", "A"))
print(pcall(string.format, "%c", 65.5))
print(pcall(string.format, "%#d", 1))
print(pcall(string.format, "%+x", 1))
print(pcall(string.format, "% u", 1))
print(pcall(string.format, "%010c", 65))
print(pcall(string.format, "%.10c", 65))
print(pcall(string.format, "%100d", 1))
print(pcall(string.format, "%1.100d", 1))
print(pcall(string.format, "%ld", 1))
print(pcall(string.format, "%lld", 1))
print(pcall(string.format, "%hd", 1))
