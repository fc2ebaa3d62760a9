-- A module required by a test script through the asset system.
local M = {}
function M.greeting(name) return "hello, " .. name end
return M
