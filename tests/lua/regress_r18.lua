print(pcall(load("return (true).x")))
print(pcall(load("return setmetatable({}, {__index = 10}).x")))
print(pcall(load("local f = function() return 1 end; return f().x")))
