-- Uncaught error with a number value: printed as the number.
print("number error next")
error(42)
