local x = false
local co = coroutine.wrap(function()
  local v <close> = setmetatable({}, {__close = function() x = true end})
  error(23)
end)
print(pcall(co), x)
