-- Uncaught error with nil value and with a number value at top level.
print("error(nil) next")
error(nil)
