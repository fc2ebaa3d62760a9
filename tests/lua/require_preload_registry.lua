-- `require` finds preloaded modules through the registry's _PRELOAD table (which
-- package.preload starts as): replacing package.preload does not change what it finds.
local reg = debug.getregistry()
print(reg._PRELOAD == package.preload, reg._LOADED == package.loaded)
package.preload.first = function(name, extra) return name .. " " .. extra end
print(require("first"))
local original = package.preload
package.preload = {second = function() return "from the replacement" end}
local ok, msg = pcall(require, "second")
print(ok, (msg:gsub("\n.*", "")))
original.second = function() return "from the registry's table" end
print(require("second"))
reg._PRELOAD = nil
print(pcall(require, "third"))
