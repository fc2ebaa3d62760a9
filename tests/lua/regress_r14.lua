local m = {__lt = function() return true end}
local a, b = setmetatable({}, m), setmetatable({}, m)
print(pcall(function() return a <= b end))
