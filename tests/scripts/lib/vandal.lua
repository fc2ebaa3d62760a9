-- A module that tries to change what every script sees.
print = nil
string.format = function() return "vandal" end
tostring = function() return "vandal" end
return { loaded = true }
