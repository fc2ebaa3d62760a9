-- Uncaught error with a string message at top level.
print("before the error")
local function fail() error("boom") end
fail()
print("never printed")
