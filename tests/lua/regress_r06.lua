print(xpcall(error, error))
print(xpcall(function() error("x") end, function(m) error("y") end))
