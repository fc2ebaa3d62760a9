print(pcall(select, math.mininteger, 1))
