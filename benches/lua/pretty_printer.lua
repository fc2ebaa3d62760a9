-- inspect-like pretty printer: indentation, cycle ids via a seen table, mixed-type sorted keys, identifier quoting, metatables.
local N = 1200
local fmt, concat, rep = string.format, table.concat, string.rep

local type_order = { number = 1, boolean = 2, string = 3, table = 4, ["function"] = 5 }
local function sort_keys(a, b)
  local ta, tb = type(a), type(b)
  if ta == tb and (ta == "number" or ta == "string") then return a < b end
  if ta == tb and ta == "boolean" then return (a and 1 or 0) < (b and 1 or 0) end
  return (type_order[ta] or 9) < (type_order[tb] or 9)
end

local function smart_quote(s)
  if s:find('"', 1, true) and not s:find("'", 1, true) then
    return "'" .. s .. "'"
  end
  return (fmt("%q", s):gsub("\\\n", "\\n"))
end

local function is_ident(k)
  return type(k) == "string" and k:match("^[%a_][%w_]*$") ~= nil
end

local Inspector = {}
Inspector.__index = Inspector

function Inspector.new(depth_limit)
  return setmetatable({ buf = {}, n = 0, ids = {}, next_id = 0, depth_limit = depth_limit }, Inspector)
end

function Inspector:puts(...)
  local buf, n = self.buf, self.n
  for i = 1, select("#", ...) do
    n = n + 1
    buf[n] = select(i, ...)
  end
  self.n = n
end

function Inspector:newline(level)
  self:puts("\n", rep("  ", level))
end

-- first pass: count references so that shared/cyclic tables get an id
local function count_refs(t, counts)
  if type(t) ~= "table" then return end
  counts[t] = (counts[t] or 0) + 1
  if counts[t] > 1 then return end
  for k, v in pairs(t) do
    count_refs(k, counts)
    count_refs(v, counts)
  end
  count_refs(getmetatable(t), counts)
end

function Inspector:id_of(t)
  local id = self.ids[t]
  if not id then
    self.next_id = self.next_id + 1
    id = self.next_id
    self.ids[t] = id
  end
  return id
end

function Inspector:put_value(v, level, seen)
  local tv = type(v)
  if tv == "string" then self:puts(smart_quote(v))
  elseif tv == "number" then
    self:puts(math.type(v) == "integer" and tostring(v) or fmt("%.10g", v))
  elseif tv == "boolean" or tv == "nil" then self:puts(tostring(v))
  elseif tv == "table" then self:put_table(v, level, seen)
  else self:puts("<", tv, ">")
  end
end

function Inspector:put_table(t, level, seen)
  if seen[t] then -- cycle or already printed shared table: refer to it by id
    self:puts("<table ", self:id_of(t), ">")
    return
  end
  if level >= self.depth_limit then self:puts("{...}"); return end
  seen[t] = true
  if self.counts[t] > 1 then self:puts("<", self:id_of(t), ">") end
  local n = #t
  local keys = {}
  for k in pairs(t) do
    if not (math.type(k) == "integer" and k >= 1 and k <= n) then keys[#keys + 1] = k end
  end
  table.sort(keys, sort_keys)
  local mt = getmetatable(t)
  self:puts("{")
  local first = true
  for i = 1, n do
    if not first then self:puts(",") end
    self:puts(" ")
    self:put_value(t[i], level + 1, seen)
    first = false
  end
  for _, k in ipairs(keys) do
    if not first then self:puts(",") end
    self:newline(level + 1)
    if is_ident(k) then self:puts(k) else
      self:puts("[")
      self:put_value(k, level + 1, seen)
      self:puts("]")
    end
    self:puts(" = ")
    self:put_value(t[k], level + 1, seen)
    first = false
  end
  if type(mt) == "table" then
    if not first then self:puts(",") end
    self:newline(level + 1)
    self:puts("<metatable> = ")
    self:put_value(mt, level + 1, seen)
  end
  if #keys > 0 or mt then self:newline(level) else self:puts(" ") end
  self:puts("}")
end

local function inspect(root, depth_limit)
  local self = Inspector.new(depth_limit or math.huge)
  self.counts = {}
  count_refs(root, self.counts)
  self:put_value(root, 0, {})
  return concat(self.buf, "", 1, self.n)
end

-- build a tree with shared nodes, cycles, metatables and awkward keys
local Vec = { __name = "Vec", __tostring = function(v) return "vec" end }
local function make_tree(seed)
  local root = { name = "root" .. seed, 10, 20.5, "thirty" }
  local shared = { kind = "shared", seed = seed }
  for i = 1, 25 do
    local node = {
      i, i * 0.25, "s" .. i,
      label = 'he said "hi" #' .. i,
      ["with space"] = i % 2 == 0,
      [i + 100] = "num key",
      [i % 2 == 0] = "bool key",
      _private = "line1\nline2",
      shared = shared,
      nested = { a = { b = { c = { d = i } } } },
    }
    node.parent = root -- cycle back to the root
    if i % 5 == 0 then setmetatable(node, Vec) end
    root[#root + 1] = node
  end
  root.self = root
  return root
end

local total_len, hash = 0, 0
local sample
for iter = 1, N do
  local tree = make_tree(iter % 11)
  local s = inspect(tree, iter % 3 == 0 and 3 or nil)
  total_len = total_len + #s
  for i = 1, #s, 7 do hash = (hash * 31 + s:byte(i)) % 2147483647 end
  if iter == 1 then sample = s end
end
print(inspect({ 1, "two", x = { y = true }, ["a-b"] = 'q"q', [false] = 0.5 }))
print("N", N, "len", total_len, "hash", hash, "sample", #sample)
