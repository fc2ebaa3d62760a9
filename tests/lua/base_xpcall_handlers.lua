-- xpcall: extra arguments, handler return values, handler receiving non-strings.
print(xpcall(function(a, b) return a + b, "ok" end, print, 3, 4))
print(xpcall(function() error("E") end, function(m) return "handled: " .. m end))
print(xpcall(function() error({ 1, 2 }) end, function(m) return type(m), #m end))
print(xpcall(function() error() end, function(m) return m == nil end))
print(xpcall(function() local x = nil; return x.y end, function(m) return (m:gsub("^.-:%d+: ", "")) end))
print(xpcall(error, function(m) return "h(" .. tostring(m) .. ")" end, "direct"))
print(xpcall(function() return end, error))
print(select("#", xpcall(function() return nil, nil end, print)))
-- nested xpcall
print(xpcall(function()
  return xpcall(function() error("inner") end, function(m) return "inner handler" end)
end, function(m) return "outer handler" end))
-- handler that returns several values: only the first is kept as the error
print(xpcall(function() error("z") end, function(m) return 1, 2, 3 end))
