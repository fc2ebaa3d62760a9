-- require, package.loaded, package.preload, package.searchers and searchpath.
package.path = "./?.lua;./modules/?.lua"
local c = require("modules.counter")
print(type(c), c.name, c.path)
print(c.inc(), c.inc(5), require("modules.counter") == c)
print(package.loaded["modules.counter"] == c)
local r1, r2 = require("counter")
print(r1 ~= c, r2, r1.name)
print(require("noreturn"), NORETURN_LOADED, require("noreturn"), NORETURN_LOADED)
print(package.loaded.noreturn)
-- preload wins over files and gets ":preload:" as extra value
package.preload.counter2 = function(name, extra) return { from = "preload", name = name, extra = extra } end
local p = require("counter2")
print(p.from, p.name, p.extra)
-- errors
local ok, e = pcall(require, "does.not.exist")
print(ok, (e:gsub("\n.*", "")))
ok, e = pcall(require, "broken")
print(ok, e:find("error loading module 'broken' from file './modules/broken.lua'", 1, true) ~= nil)
print(pcall(require))
-- searchpath
print(package.searchpath("counter", "./?.lua;./modules/?.lua"))
local nf, tried = package.searchpath("nope", "./?.x;./?.y")
print(nf, tried)
print(package.searchpath("a.b.c", "./?.z"))
print(package.searchpath("a.b", "./?.z", ".", "_"))
-- standard libraries are modules
print(require("string") == string, require("_G") == _G, package.loaded.math == math)
print(type(package.searchers), #package.searchers >= 2, package.config:sub(1, 1))
-- a custom searcher
table.insert(package.searchers, 2, function(name)
  if name == "virtual" then return function() return "virtual module" end, "vdata" end
  return "\n\tno virtual module '" .. name .. "'"
end)
print(require("virtual"))
