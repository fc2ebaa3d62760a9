-- String building: table.concat buffers of 10-1000 pieces, string.rep, '..' in loops, string.format %d %s %5.2f %x, tostring.
local N = 12000
local fmt, concat, rep = string.format, table.concat, string.rep

local total_len, hash = 0, 0
local function mix(s)
  local n = #s
  total_len = total_len + n
  hash = (hash * 131 + n + s:byte(1) + s:byte(n) + s:byte(n // 3 + 1)) % 1000000007
end

-- a CSV-ish report row built from a buffer
local function csv_row(i, cols)
  local buf = {}
  for c = 1, cols do
    buf[c] = tostring(i * c)
  end
  return concat(buf, ",")
end

-- an HTML-ish fragment built piece by piece with buf[#buf+1]
local function html_list(i, items)
  local buf = { "<ul class=\"l", tostring(i % 10), "\">" }
  for k = 1, items do
    buf[#buf + 1] = "<li id=\""
    buf[#buf + 1] = fmt("%x", i * 31 + k)
    buf[#buf + 1] = "\">"
    buf[#buf + 1] = fmt("%s #%d: %5.2f", "item", k, (i + k) / 7)
    buf[#buf + 1] = "</li>"
  end
  buf[#buf + 1] = "</ul>"
  return concat(buf)
end

-- a fixed-width table with padding made by string.rep and '..'
local function text_table(i, rows)
  local out = ""
  local sep = "+" .. rep("-", 10) .. "+" .. rep("-", 8) .. "+\n"
  out = out .. sep
  for r = 1, rows do
    local name = "r" .. (i + r)
    local val = tostring((i * r) % 9973)
    out = out .. "|" .. name .. rep(" ", 10 - #name) .. "|" .. rep(" ", 8 - #val) .. val .. "|\n"
  end
  return out .. sep
end

-- a large buffer (1000 pieces) with mixed tostring of integers and floats
local function big_buffer(i)
  local buf = {}
  for k = 1, 1000 do
    if k % 3 == 0 then buf[k] = tostring(k * 0.5)
    elseif k % 3 == 1 then buf[k] = tostring(i + k)
    else buf[k] = "x" end
  end
  return concat(buf, " ")
end

for i = 1, N do
  mix(csv_row(i, 10 + i % 40))
  mix(html_list(i, 10 + i % 50))
  mix(text_table(i, 5 + i % 20))
  if i % 10 == 0 then mix(big_buffer(i)) end
  -- plain accumulation with '..'
  local s = ""
  for k = 1, 30 do s = s .. (k % 10) end
  mix(s)
  mix(rep("ab", i % 100 + 1, ";"))
  mix(fmt("%d|%s|%5.2f|%x|%X|%-8s|%08.3f", i, "id" .. i, i / 3, i * 255, i * 4095, tostring(i % 7 == 0), i / 1.5))
end
print(csv_row(3, 5), html_list(1, 2))
print(text_table(7, 2))
print("N", N, "len", total_len, "hash", hash)
