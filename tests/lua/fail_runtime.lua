-- Uncaught runtime error from an operation (not error()).
local t = { inner = {} }
print("partial output", 1, 2)
print(t.inner.missing.field)
