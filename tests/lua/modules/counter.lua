-- A module used by pkg_require.lua.
local M = { loads = 0 }
local name, path = ...
M.name = name
M.path = path
function M.inc(n) M.loads = M.loads + (n or 1) return M.loads end
return M
