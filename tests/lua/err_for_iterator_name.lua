-- A native function called by the generic 'for' is named 'for iterator' in errors.
print(pcall(function() for k in next, 1 do end end))
