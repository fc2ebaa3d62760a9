-- Malformed patterns and matching errors, caught with pcall and also raised from Lua code
-- (which adds the position).
local function try(f, ...)
  local ok, err = pcall(f, ...)
  print(ok, err)
end

local pats = {"(.", ".)", "[a", "[]", "[^]", "[a%]", "[a%", "%b", "%ba", "%", "a%",
  "%f", "%fx", "%f[a", "(()", "())", "%1", "(%1)", "%0", "(a)%2", "((a)%2)", "[%", "[^",
  "[", "(", ")", "%g(", "(x", "x)", "[a-", "[a-%"}
for _, p in ipairs(pats) do
  local ok, err = pcall(string.find, "a", p)
  print(string.format("%q", p), "find", ok, err)
  ok, err = pcall(string.match, "xax", p)
  print(string.format("%q", p), "match", ok, err)
  ok, err = pcall(string.gsub, "abc", p, "x")
  print(string.format("%q", p), "gsub", ok, err)
  ok, err = pcall(function() for _ in string.gmatch("abc", p) do end end)
  print(string.format("%q", p), "gmatch", ok, err)
end
-- a malformed tail is only noticed when the matcher reaches it
try(string.find, "abc", "x[")
try(string.find, "abc", "a[")
try(string.find, "abc", "x%")
try(string.find, "abc", "c%")
-- errors with positions, raised directly from Lua code
try(function() return string.find("a", "[a") end)
try(function() return ("a"):match("%") end)
try(function() return ("a"):gsub("(", "") end)
try(function() return string.rep("x", 3):gsub(".", "%2") end)
