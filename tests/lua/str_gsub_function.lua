-- gsub with a function: arguments are the captures; nil/false keep the match.
local function show(...)
  local t = table.pack(...)
  for i = 1, t.n do
    local v = t[i]
    t[i] = type(v) == "string" and string.format("%q", v) or tostring(v)
  end
  print(table.concat(t, " "))
end

show(string.gsub("um (dois) tres (quatro)", "(%(%w+%))", string.upper))
show(string.gsub("hello world", "%w+", function(w) return w:sub(1, 1):upper() .. w:sub(2) end))
show(string.gsub("hello", "l+", function(x) return #x end))
show(string.gsub("abc", ".", function() end))
show(string.gsub("abc", ".", function() return false end))
show(string.gsub("abc", ".", function(c) if c == "b" then return "B" end end))
show(string.gsub("abc", "(.)(.)", function(a, b) return b .. a end))
show(string.gsub("abc", "()(.)()", function(p, c, q) return p .. c .. q end))
local args = {}
string.gsub("ab", "(a)(b)", function(...) args = table.pack(...) end)
show(args.n, args[1], args[2])
string.gsub("ab", "ab", function(...) args = table.pack(...) end)
show(args.n, args[1])
string.gsub("ab", "()", function(...) args = table.pack(...) end)
show(args.n, args[1])
local t = {}
local s = "a alo jose  joao"
local r = string.gsub(s, "()(%w+)()", function(a, w, b)
  t[#t + 1] = a .. ":" .. w .. ":" .. b
end)
show(r == s, table.concat(t, " "))
-- only the first result of the function is used
show(string.gsub("ab", ".", function(c) return c .. "1", "ignored" end))
-- recursive gsub
local function rev(s)
  return (string.gsub(s, "(.)(.+)", function(c, s1) return rev(s1) .. c end))
end
show(rev("abcdef"), rev(rev("abcdef")))
-- closures with state
local count = 0
show(string.gsub("x and x and x", "x", function() count = count + 1; return "x" .. count end))
local fruits = {"apple", "orange", "lime"; n = 0}
show(string.gsub("x and x and x", "x", function() fruits.n = fruits.n + 1; return fruits[fruits.n] end))
-- errors and invalid values
show(pcall(string.gsub, "abc", ".", function() return {} end))
show(pcall(string.gsub, "abc", ".", function() return true end))
show(pcall(string.gsub, "abc", ".", function(c) error("bad " .. c) end))
show(pcall(string.gsub, "abc", ".", function(c) error({c}, 0) end) == false)
-- string functions as replacement
show(string.gsub("Hello", ".", string.byte))
show(pcall(string.gsub, "a,b", "%a", string.rep))
-- load a chunk per match
local function dostring(s) return load(s, "")() or "" end
show(string.gsub("alo $a='x'$ novamente $return a$", "$([^$]*)%$", dostring))
