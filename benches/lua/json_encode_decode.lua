-- JSON library shape: gsub escaping, sorted-key objects, recursive-descent decoder with find/sub/byte/tonumber/utf8.char.
local N = 500
local fmt, byte, sub, find, concat = string.format, string.byte, string.sub, string.find, table.concat

---------------------------------------------------------------- encoder
local escapes = { ['"'] = '\\"', ['\\'] = '\\\\', ['\b'] = '\\b', ['\f'] = '\\f',
                  ['\n'] = '\\n', ['\r'] = '\\r', ['\t'] = '\\t' }
local function escape_char(c)
  return escapes[c] or fmt("\\u%04x", byte(c))
end

local encode_value
local function is_array(t)
  local n = #t
  local count = 0
  for _ in pairs(t) do count = count + 1 end
  return count == n, n
end

function encode_value(v, buf)
  local tv = type(v)
  if tv == "string" then
    buf[#buf + 1] = '"' .. v:gsub('[%c"\\]', escape_char) .. '"'
  elseif tv == "number" then
    if math.type(v) == "integer" then buf[#buf + 1] = tostring(v)
    else buf[#buf + 1] = fmt("%.14g", v) end
  elseif tv == "boolean" then
    buf[#buf + 1] = v and "true" or "false"
  elseif v == nil then
    buf[#buf + 1] = "null"
  elseif tv == "table" then
    local arr, n = is_array(v)
    if arr and (n > 0 or next(v) == nil) then
      buf[#buf + 1] = "["
      for i = 1, n do
        if i > 1 then buf[#buf + 1] = "," end
        encode_value(v[i], buf)
      end
      buf[#buf + 1] = "]"
    else
      local keys = {}
      for k in pairs(v) do keys[#keys + 1] = k end
      table.sort(keys)
      buf[#buf + 1] = "{"
      for i, k in ipairs(keys) do
        if i > 1 then buf[#buf + 1] = "," end
        encode_value(k, buf)
        buf[#buf + 1] = ":"
        encode_value(v[k], buf)
      end
      buf[#buf + 1] = "}"
    end
  else
    error("cannot encode " .. tv)
  end
end

local function encode(v)
  local buf = {}
  encode_value(v, buf)
  return concat(buf)
end

---------------------------------------------------------------- decoder
local decode_value
local unescapes = { b = "\b", f = "\f", n = "\n", r = "\r", t = "\t", ['"'] = '"', ['\\'] = '\\', ['/'] = '/' }

local function skip_ws(s, i)
  local _, e = find(s, "^[ \n\r\t]*", i)
  return e + 1
end

local function decode_string(s, i)
  -- i points just after the opening quote
  local parts = {}
  while true do
    local a, b = find(s, '["\\]', i)
    if not a then error("unterminated string") end
    parts[#parts + 1] = sub(s, i, a - 1)
    if byte(s, a) == 34 then return concat(parts), b + 1 end
    local c = sub(s, a + 1, a + 1)
    if c == "u" then
      local hex = sub(s, a + 2, a + 5)
      parts[#parts + 1] = utf8.char(tonumber(hex, 16))
      i = a + 6
    else
      parts[#parts + 1] = unescapes[c] or error("bad escape " .. c)
      i = a + 2
    end
  end
end

-- After an object member or array element: the closing byte `close` (true) or a comma.
local function after_item(s, i, close)
  i = skip_ws(s, i)
  local c = byte(s, i)
  if c == close then return true, i + 1 end
  if c ~= 44 then error("expected ',' at " .. i) end
  return false, i + 1
end

function decode_value(s, i)
  i = skip_ws(s, i)
  local c = byte(s, i)
  if c == 34 then -- "
    return decode_string(s, i + 1)
  elseif c == 123 then -- {
    local obj = {}
    i = skip_ws(s, i + 1)
    if byte(s, i) == 125 then return obj, i + 1 end
    while true do
      local k
      i = skip_ws(s, i)
      k, i = decode_string(s, i + 1)
      i = skip_ws(s, i)
      if byte(s, i) ~= 58 then error("expected ':' at " .. i) end
      obj[k], i = decode_value(s, i + 1)
      local closed
      closed, i = after_item(s, i, 125)
      if closed then return obj, i end
    end
  elseif c == 91 then -- [
    local arr, n = {}, 0
    i = skip_ws(s, i + 1)
    if byte(s, i) == 93 then return arr, i + 1 end
    while true do
      n = n + 1
      arr[n], i = decode_value(s, i)
      local closed
      closed, i = after_item(s, i, 93)
      if closed then return arr, i end
    end
  elseif find(s, "^true", i) then return true, i + 4
  elseif find(s, "^false", i) then return false, i + 5
  elseif find(s, "^null", i) then return nil, i + 4
  else
    local a, b = find(s, "^-?%d+%.?%d*[eE]?[-+]?%d*", i)
    if not a then error("unexpected character at " .. i) end
    local num = sub(s, a, b)
    return math.tointeger(tonumber(num)) or tonumber(num), b + 1
  end
end

local function decode(s)
  local v, i = decode_value(s, 1)
  return v
end

---------------------------------------------------------------- document + checks
local function deep_equal(a, b)
  if a == b then return true end
  if type(a) == "number" and type(b) == "number" then
    return math.abs(a - b) <= 1e-12 * math.abs(a) -- %.14g loses the last digits
  end
  if type(a) ~= "table" or type(b) ~= "table" then return false end
  for k, v in pairs(a) do if not deep_equal(v, b[k]) then return false end end
  for k in pairs(b) do if a[k] == nil then return false end end
  return true
end

local names = { "alice", "bob", "carol \"cc\"", "dave\\d", "eve\n", "frank\t", "gr\195\169ta", "h\1i" }
local function make_doc(seed)
  local users = {}
  for i = 1, 40 do
    users[i] = {
      id = seed * 100 + i,
      name = names[i % #names + 1],
      score = (i * 37 + seed) / 8,
      active = i % 3 == 0,
      tags = { "t" .. i % 5, "x" .. i % 7, "\u{263A}" },
      pos = { x = i * 1.5, y = -i, z = i * 0.1 },
    }
  end
  return { version = seed, title = "Doc #" .. seed, users = users, empty = {}, ratio = 1e-7 * seed }
end

local total_len, num_sum, ok = 0, 0.0, 0
local function sum_numbers(v)
  if type(v) == "number" then num_sum = num_sum + v
  elseif type(v) == "table" then -- sorted traversal keeps the float sum order-independent
    local keys = {}
    for k in pairs(v) do keys[#keys + 1] = tostring(k) end
    table.sort(keys)
    for _, k in ipairs(keys) do sum_numbers(v[k] or v[tonumber(k)]) end
  end
end

for iter = 1, N do
  local doc = make_doc(iter % 17)
  local text = encode(doc)
  local back = decode(text)
  if deep_equal(doc, back) then ok = ok + 1 end
  local text2 = encode(back)
  if text2 ~= text then error("re-encode mismatch") end
  total_len = total_len + #text
  sum_numbers(back)
end
print(encode({ a = { 1, 2.5, "x\"y" }, b = true, c = "\u{e9}\0" }))
print("N", N, "ok", ok, "len", total_len, "sum", fmt("%.6f", num_sum))
