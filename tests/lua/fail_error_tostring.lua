-- Uncaught error with a table value that has __tostring.
print("about to fail with a printable table")
error(setmetatable({}, { __tostring = function() return "custom error object" end }))
