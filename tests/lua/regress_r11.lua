local f = function(...) return select('#', ...) end
for i = 1, 100 do f = setmetatable({}, {__call = f}) end
print(pcall(f))
