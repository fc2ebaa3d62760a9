-- Examples from the Lua 5.4 reference manual (section 6.4) and common idioms.
print(string.gsub("hello world", "(%w+)", "%1 %1"))
print(string.gsub("hello world", "%w+", "%0 %0", 1))
print(string.gsub("hello world from Lua", "(%w+)%s*(%w+)", "%2 %1"))
local env = {HOME = "/home/roberto", USER = "roberto"}
print(string.gsub("home = $HOME, user = $USER", "%$(%w+)", function(k) return env[k] end))
print(string.gsub("4+5 = $return 4+5$", "%$(.-)%$", function(s) return load(s)() end))
local t = {name = "lua", version = "5.4"}
print(string.gsub("$name-$version.tar.gz", "%$(%w+)", t))
for w in string.gmatch("hello world from Lua", "%a+") do print(w) end
local kv = {}
for k, v in string.gmatch("from=world, to=Lua", "(%w+)=(%w+)") do kv[#kv + 1] = k .. "=" .. v end
print(table.concat(kv, ";"))
print(string.find("hello Lua user", "Lua"))
print(string.find("hello Lua user", "banana"))
print(string.find("hello Lua user", "l"))
print(string.find("hello Lua user", "lua"))
print(string.find("hello Lua user", "l+"))
print(string.match("Today is 17/7/1990", "%d+/%d+/%d+"))
print(string.match("hello", "()ll()"))
print(string.format("%q", 'a string with "quotes" and \n new line'))
print(string.rep("abc", 3, ", "))
print(string.byte("ABCDE", 2, 4))
print(string.char(76, 117, 97))
-- trim, split, count, capitalize
local function trim(s) return (s:gsub("^%s*(.-)%s*$", "%1")) end
print("[" .. trim("  both sides  ") .. "]", "[" .. trim("") .. "]", "[" .. trim("   ") .. "]")
local function split(s, sep)
  local out = {}
  for piece in (s .. sep):gmatch("(.-)" .. sep:gsub("%p", "%%%0")) do out[#out + 1] = piece end
  return out
end
print(table.concat(split("a,b,,c", ","), "|"))
print(table.concat(split("1.2.3", "."), "|"))
print(select(2, ("the rain in spain"):gsub("ain", "")))
print((("the quick brown fox"):gsub("(%a)(%a*)", function(a, b) return a:upper() .. b end)))
-- URL-style escaping and unescaping
local function escape(s) return (s:gsub("[^%w%-_%.~]", function(c) return string.format("%%%02X", c:byte()) end)) end
local function unescape(s) return (s:gsub("%%(%x%x)", function(h) return string.char(tonumber(h, 16)) end)) end
print(escape("a b&c=d/é"))
print(unescape(escape("a b&c=d/é")) == "a b&c=d/é")
-- expand tabs
local function expand(s, tab)
  tab = tab or 8
  local corr = 0
  return (s:gsub("()\t", function(p)
    local sp = tab - (p - 1 + corr) % tab
    corr = corr - 1 + sp
    return string.rep(" ", sp)
  end))
end
print("[" .. expand("a\tbc\td", 4) .. "]")
-- a tiny tokenizer
local toks = {}
for num, op in ("12+34*(5-6)"):gmatch("(%d*)([%+%-%*/%(%)]?)") do
  if num ~= "" then toks[#toks + 1] = num end
  if op ~= "" then toks[#toks + 1] = op end
end
print(table.concat(toks, " "))
