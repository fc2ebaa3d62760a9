-- package.searchpath in detail, package.loaded semantics, preload and custom searchers.
print(package.config:gsub("\n", "|"))
print(type(package.path), type(package.cpath), type(package.loaded), type(package.preload), type(package.searchers))
local f = assert(io.open("/tmp/moonpool_golden_sp_mod.lua", "w"))
f:write("return { value = ... }")
f:close()
print(package.searchpath("moonpool_golden_sp_mod", "/tmp/?.lua"))
print(package.searchpath("moonpool_golden_sp_mod", "/nonexistent/?.lua;/tmp/?.lua"))
print(package.searchpath("a.b.c", "/nonexistent/?.lua"))
print(package.searchpath("a.b.c", "/nonexistent/?.lua", "."))
print(package.searchpath("a.b.c", "/nonexistent/?.lua", ".", "\\"))
print(package.searchpath("a.b.c", "/nonexistent/?.lua", ""))
print(select("#", package.searchpath("x", "/nonexistent/?")))
print((pcall(package.searchpath)))
print(pcall(function() package.searchpath("x", {}) end))
-- require a file found through package.path: loader gets (name, filename)
local oldpath = package.path
package.path = "/tmp/?.lua"
local m = require("moonpool_golden_sp_mod")
print(m.value, select(2, require("moonpool_golden_sp_mod")))
print(package.loaded.moonpool_golden_sp_mod == m)
package.loaded.moonpool_golden_sp_mod = nil
local m2, extra = require("moonpool_golden_sp_mod")
print(m2 ~= m, extra)
os.remove("/tmp/moonpool_golden_sp_mod.lua")
package.path = oldpath
-- package.loaded can be pre-filled
package.loaded.fake = "pre-filled"
print(require("fake"))
package.loaded.fake = false
print((pcall(require, "fake")))
-- a preload loader returning nothing yields true
package.preload.empty = function() end
print(require("empty"), package.loaded.empty)
-- a preload loader that sets package.loaded itself
package.preload.selfreg = function(name) package.loaded[name] = "registered"; return nil end
print(require("selfreg"))
-- custom searcher inserted first
table.insert(package.searchers, 1, function(name)
  if name:match("^virtual%.") then
    return function(n, extra) return { n = n, extra = extra } end, "virtual-data"
  end
  return "\n\tno virtual module '" .. name .. "'"
end)
local v = require("virtual.thing")
print(v.n, v.extra)
local ok, err = pcall(require, "nonexistent_golden_mod")
print(ok, err:match("^[^\n]*"), err:find("no virtual module", 1, true) ~= nil)
table.remove(package.searchers, 1)
-- searchers must be a table
local saved = package.searchers
package.searchers = nil
print(pcall(require, "anything_golden"))
package.searchers = saved
print(pcall(require, {}))
