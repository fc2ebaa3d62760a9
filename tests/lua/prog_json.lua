-- A JSON-ish serializer with sorted keys, and a small parser for round trips.
local function sort(a, lt)
  for i = 2, #a do
    local v = a[i]
    local j = i - 1
    while j >= 1 and lt(v, a[j]) do a[j + 1] = a[j]; j = j - 1 end
    a[j + 1] = v
  end
  return a
end
local function keylt(a, b)
  local ta, tb = type(a), type(b)
  if ta ~= tb then return ta < tb end
  return a < b
end
local function is_array(t)
  local n = 0
  for _ in pairs(t) do n = n + 1 end
  for i = 1, n do if t[i] == nil then return false end end
  return true, n
end
local escapes = { ['"'] = '\\"', ["\\"] = "\\\\", ["\n"] = "\\n", ["\t"] = "\\t", ["\r"] = "\\r" }
local function encode_string(s)
  local out = {}
  for i = 1, #s do
    local c = s:sub(i, i)
    local b = c:byte()
    if escapes[c] then out[#out + 1] = escapes[c]
    elseif b < 32 then out[#out + 1] = string.format("\\u%04x", b)
    else out[#out + 1] = c end
  end
  return '"' .. table.concat(out) .. '"'
end
local encode
local function encode_value(v, indent, depth)
  local t = type(v)
  if t == "nil" then return "null"
  elseif t == "boolean" then return tostring(v)
  elseif t == "number" then
    if v ~= v or v == math.huge or v == -math.huge then return "null" end
    if math.type(v) == "integer" then return tostring(v) end
    if v == math.floor(v) and math.abs(v) < 1e15 then return string.format("%d", v) end
    return string.format("%.14g", v)
  elseif t == "string" then return encode_string(v)
  elseif t == "table" then return encode(v, indent, depth)
  else error("cannot encode " .. t) end
end
function encode(t, indent, depth)
  depth = depth or 0
  local pad = indent and ("\n" .. string.rep(indent, depth + 1)) or ""
  local close = indent and ("\n" .. string.rep(indent, depth)) or ""
  local arr, n = is_array(t)
  if arr then
    if n == 0 then return "[]" end
    local parts = {}
    for i = 1, n do parts[i] = pad .. encode_value(t[i], indent, depth + 1) end
    return "[" .. table.concat(parts, ",") .. close .. "]"
  end
  local keys = {}
  for k in pairs(t) do keys[#keys + 1] = k end
  sort(keys, keylt)
  local parts = {}
  for i, k in ipairs(keys) do
    parts[i] = pad .. encode_string(tostring(k)) .. (indent and ": " or ":") .. encode_value(t[k], indent, depth + 1)
  end
  return "{" .. table.concat(parts, ",") .. close .. "}"
end
-- decoder (no string.find in the allowed subset: scan by hand)
local function find_char(set, ch)
  for i = 1, #set do if set:sub(i, i) == ch then return i end end
  return nil
end
local function decode(s)
  local pos = 1
  local function peek() return s:sub(pos, pos) end
  local function skip()
    while true do
      local c = peek()
      if c == " " or c == "\n" or c == "\t" or c == "\r" then pos = pos + 1 else break end
    end
  end
  local value
  local function str()
    pos = pos + 1
    local out = {}
    while true do
      local c = peek()
      if c == '"' then pos = pos + 1; break end
      if c == "\\" then
        local n = s:sub(pos + 1, pos + 1)
        local map = { n = "\n", t = "\t", r = "\r", ['"'] = '"', ["\\"] = "\\" }
        if n == "u" then
          out[#out + 1] = string.char(tonumber(s:sub(pos + 2, pos + 5), 16))
          pos = pos + 6
        else
          out[#out + 1] = map[n]
          pos = pos + 2
        end
      else
        out[#out + 1] = c
        pos = pos + 1
      end
    end
    return table.concat(out)
  end
  function value()
    skip()
    local c = peek()
    if c == "{" then
      pos = pos + 1
      local obj = {}
      skip()
      if peek() == "}" then pos = pos + 1; return obj end
      while true do
        skip()
        local k = str()
        skip(); pos = pos + 1 -- colon
        obj[k] = value()
        skip()
        local d = peek(); pos = pos + 1
        if d == "}" then return obj end
      end
    elseif c == "[" then
      pos = pos + 1
      local arr = {}
      skip()
      if peek() == "]" then pos = pos + 1; return arr end
      while true do
        arr[#arr + 1] = value()
        skip()
        local d = peek(); pos = pos + 1
        if d == "]" then return arr end
      end
    elseif c == '"' then
      return str()
    elseif s:sub(pos, pos + 3) == "true" then pos = pos + 4; return true
    elseif s:sub(pos, pos + 4) == "false" then pos = pos + 5; return false
    elseif s:sub(pos, pos + 3) == "null" then pos = pos + 4; return nil
    else
      local start = pos
      while true do
        local ch = peek()
        if ch ~= "" and find_char("0123456789+-.eE", ch) then pos = pos + 1 else break end
      end
      return tonumber(s:sub(start, pos - 1))
    end
  end
  return value()
end
local data = {
  name = "moonpool",
  version = 1,
  pi = 3.25,
  tags = { "lua", "vm", "rust" },
  nested = { deep = { deeper = { true, false } }, empty = {}, zero = 0 },
  text = "quote \" backslash \\ newline \n tab \t ctrl \1",
  neg = -42,
  big = 2^53,
  float = 0.1,
}
local compact = encode(data)
print(compact)
print(encode(data, "  "))
local back = decode(compact)
print(encode(back) == compact)
print(back.tags[2], back.nested.deep.deeper[1], back.text == data.text, back.neg, math.type(back.version))
print(encode({ 1, 2, { 3, { 4, {} } } }))
print(encode({ [1] = "a", [3] = "c" }))
print(pcall(encode, { f = print }))
