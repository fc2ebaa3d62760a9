-- Lua-source serializer: %q strings, int/float numbers, sorted nested tables, table.concat buffers, load() round trip.
local N = 900
local fmt, concat = string.format, table.concat

local function key_less(a, b)
  local ta, tb = type(a), type(b)
  if ta ~= tb then return ta < tb end -- numbers sort before strings
  return a < b
end

local keywords = {}
for w in ("and break do else elseif end false for function goto if in local nil not or repeat return then true until while"):gmatch("%a+") do
  keywords[w] = true
end
local function is_ident(s)
  return s:match("^[%a_][%w_]*$") ~= nil and not keywords[s]
end

local serialize
local function serialize_number(x, buf)
  if math.type(x) == "integer" then
    buf[#buf + 1] = fmt("%q", x) -- like %d, but mininteger becomes 0x8000000000000000
  elseif x ~= x then buf[#buf + 1] = "0/0"
  elseif x == math.huge then buf[#buf + 1] = "math.huge"
  elseif x == -math.huge then buf[#buf + 1] = "-math.huge"
  else
    buf[#buf + 1] = fmt("%.17g", x)
    if x == math.floor(x) and not buf[#buf]:find("[%.eE]") then
      buf[#buf] = buf[#buf] .. ".0" -- keep float subtype across the round trip
    end
  end
end

function serialize(v, buf, indent)
  local tv = type(v)
  if tv == "string" then buf[#buf + 1] = fmt("%q", v)
  elseif tv == "number" then serialize_number(v, buf)
  elseif tv == "boolean" or tv == "nil" then buf[#buf + 1] = tostring(v)
  elseif tv == "table" then
    local inner = indent .. "  "
    buf[#buf + 1] = "{\n"
    local n = #v
    for i = 1, n do -- array part first, no explicit keys
      buf[#buf + 1] = inner
      serialize(v[i], buf, inner)
      buf[#buf + 1] = ",\n"
    end
    local keys = {}
    for k in pairs(v) do
      if not (math.type(k) == "integer" and k >= 1 and k <= n) then keys[#keys + 1] = k end
    end
    table.sort(keys, key_less)
    for _, k in ipairs(keys) do
      buf[#buf + 1] = inner
      if type(k) == "string" and is_ident(k) then
        buf[#buf + 1] = k
      else
        buf[#buf + 1] = "["
        serialize(k, buf, inner)
        buf[#buf + 1] = "]"
      end
      buf[#buf + 1] = " = "
      serialize(v[k], buf, inner)
      buf[#buf + 1] = ",\n"
    end
    buf[#buf + 1] = indent .. "}"
  else
    error("cannot serialize a " .. tv)
  end
end

local function dump(v)
  local buf = { "return " }
  serialize(v, buf, "")
  return concat(buf)
end

local function deep_equal(a, b)
  if a == b then return math.type(a) == math.type(b) end
  if a ~= a and b ~= b then return true end -- NaN
  if type(a) ~= "table" or type(b) ~= "table" then return false end
  for k, x in pairs(a) do if not deep_equal(x, b[k]) then return false end end
  for k in pairs(b) do if a[k] == nil then return false end end
  return true
end

-- a config-like document with mixed keys and awkward strings
local function make_data(seed)
  local items = {}
  for i = 1, 30 do
    items[i] = {
      id = seed * 1000 + i,
      label = "item " .. i .. (i % 4 == 0 and "\n\"quoted\"\t\\" or ""),
      weight = i / 3 + seed,
      whole = i * 1.0,
      flags = { i % 2 == 0, i % 3 == 0, "f" .. i },
      [i * 10] = "sparse",
      ["not an ident"] = i,
      ["end"] = i % 5 == 0,
    }
  end
  return {
    name = "config-" .. seed, version = seed, items = items,
    limits = { lo = -math.huge, hi = math.huge, eps = 2.0 ^ -52, big = math.maxinteger, small = math.mininteger },
    bytes = "\0\1\2\127\255 end", [1.5] = "float key", [true] = "bool key",
  }
end

local total_len, checksum, ok = 0, 0, 0
for iter = 1, N do
  local data = make_data(iter % 13)
  local src = dump(data)
  local back = assert(load(src, "=dump", "t", { math = math }))()
  if deep_equal(data, back) then ok = ok + 1 end
  local src2 = dump(back)
  if src2 ~= src then error("second dump differs") end
  total_len = total_len + #src
  for i = 1, #src, 97 do checksum = (checksum * 31 + src:byte(i)) % 1000000007 end
end
print(dump({ 1, 2.0, "x", k = { [3] = true }, ["a b"] = 0.1 }))
print("N", N, "ok", ok, "len", total_len, "checksum", checksum)
