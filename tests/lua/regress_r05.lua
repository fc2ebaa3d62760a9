local function loop() return 1 + loop() end
print(xpcall(loop, function(m) return "handled: " .. m end))
