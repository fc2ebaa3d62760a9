-- Text processing: LCG-generated text, gsub with patterns/tables/functions, gmatch word counts, upper/lower/rep/sub, plain find.
local N = 150 -- passes over the generated text
local LINES = 400

local words = {
  "the", "quick", "brown", "fox", "jumps", "over", "lazy", "dog", "lorem", "ipsum",
  "dolor", "sit", "amet", "moon", "pool", "table", "string", "pattern", "match", "value",
  "Lua", "virtual", "machine", "register", "closure", "upvalue", "index", "metatable", "gc", "byte",
}
local punct = { ",", ".", ";", "!", "?", "", "", "" }

-- deterministic text via a 31-bit LCG with integer arithmetic
local seed = 12345
local function rnd(n)
  seed = (seed * 1103515245 + 12345) % 2147483648
  return (seed >> 8) % n + 1
end

local lines = {}
for l = 1, LINES do
  local parts = {}
  local count = rnd(12) + 4
  for w = 1, count do
    local word = words[rnd(#words)]
    if w == 1 then word = word:sub(1, 1):upper() .. word:sub(2) end
    if rnd(10) == 1 then word = word .. "-" .. rnd(999) end
    parts[w] = word .. punct[rnd(#punct)]
  end
  lines[l] = table.concat(parts, " ")
end
local text = table.concat(lines, "\n")

local abbrev = { quick = "qk", brown = "brn", table = "tbl", string = "str", value = "val" }
local counts = {}
local total_words, total_len, hash = 0, 0, 0
local function mix(s)
  total_len = total_len + #s
  hash = (hash * 33 + #s + (s:byte(#s // 2 + 1) or 0)) % 1000000007
end

for pass = 1, N do
  -- 1. word counting with gmatch + lower
  for w in text:gmatch("%a+") do
    w = w:lower()
    counts[w] = (counts[w] or 0) + 1
    total_words = total_words + 1
  end
  -- 2. replacement table (unknown words stay unchanged)
  local t1, n1 = text:gsub("%a+", abbrev)
  mix(t1)
  -- 3. replacement function: capitalise every word longer than 5 letters, number suffixes doubled
  local t2 = text:gsub("(%a+)(%-?)(%d*)", function(w, dash, num)
    if num ~= "" then return w .. dash .. (tonumber(num) * 2) end
    if #w > 5 then return w:upper() end
    return nil -- keep original
  end)
  mix(t2)
  -- 4. pattern with captures and %1 replacement, anchors per line
  local t3 = text:gsub("(%w+) (%w+)", "%2 %1")
  mix(t3)
  local t4 = text:gsub("\n(%a)", function(c) return "\n> " .. c:lower() end)
  mix(t4)
  -- 5. squeeze punctuation and whitespace, trim each line
  local t5 = text:gsub("[%p]+", ""):gsub("%s+", " ")
  mix(t5)
  -- 6. per-line work: trim, plain find, sub, rep
  local found = 0
  for line in text:gmatch("[^\n]+") do
    local trimmed = line:match("^%s*(.-)%s*$")
    if trimmed:find("gc.", 1, true) then found = found + 1 end -- plain: '.' is literal
    local s, e = trimmed:find("moon", 1, true)
    if s then mix(trimmed:sub(s, e + 5) .. ("="):rep(#trimmed % 7)) end
    mix(trimmed:sub(-10):upper())
  end
  total_words = total_words + found + n1
end

-- report counts for a fixed sorted list of words (no pairs() order in output)
local report = { "amet", "brown", "closure", "dog", "fox", "gc", "lua", "moon", "the", "zebra" }
local out = {}
for _, w in ipairs(report) do out[#out + 1] = w .. "=" .. (counts[w] or 0) end
print(table.concat(out, " "))
local distinct = 0
for _ in pairs(counts) do distinct = distinct + 1 end
print("N", N, "textlen", #text, "words", total_words, "distinct", distinct, "len", total_len, "hash", hash)
print((lines[1]:gsub("%a+", abbrev)), (lines[2]:gsub("(%w+) (%w+)", "%2 %1")))
