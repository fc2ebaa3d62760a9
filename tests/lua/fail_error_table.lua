-- Uncaught error with a table value (no __tostring).
print("about to fail with a table")
error({ code = 1 })
