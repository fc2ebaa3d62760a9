-- debug.getinfo(..., "t").istailcall is true in a function entered by a tail call.
local function tail() return debug.getinfo(1, "t").istailcall end
local function caller() return tail() end
print(caller(), tail())
