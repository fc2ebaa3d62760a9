-- _VERSION, _G and _ENV.
print(_VERSION, type(_VERSION))
print(_G._G == _G, _G._VERSION == _VERSION, _ENV == _G)
print(_G.print == print, _G["string"] == string)
newglobal = 5
print(_G.newglobal, rawget(_G, "newglobal"))
_G.other = "via _G"
print(other)
local names = {}
for _, k in ipairs({ "assert", "collectgarbage", "dofile", "error", "getmetatable", "ipairs",
  "load", "loadfile", "next", "pairs", "pcall", "print", "rawequal", "rawget", "rawlen", "rawset",
  "require", "select", "setmetatable", "tonumber", "tostring", "type", "warn", "xpcall" }) do
  names[#names + 1] = k .. ":" .. type(_G[k])
end
print(table.concat(names, " "))
local libs = {}
for _, k in ipairs({ "coroutine", "debug", "io", "math", "os", "package", "string", "table", "utf8" }) do
  libs[#libs + 1] = k .. ":" .. type(_G[k])
end
print(table.concat(libs, " "))
do
  local _ENV = { print = print }
  y = 1
  print(y, _ENV.y)
end
print(y)
local function withenv()
  local _ENV <const> = setmetatable({}, { __index = _G })
  z = "local env"
  return z
end
print(withenv(), z)
