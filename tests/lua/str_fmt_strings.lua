-- %s (with __tostring, __name, widths, precision, embedded zeros) and %p of non-objects.
local function q(s) return string.format("%q", s) end
print(q(string.format("%s", "plain")))
print(q(string.format("%s|%s|%s|%s|%s", 1, 1.5, -0.0, true, nil)))
print(q(string.format("%s", 2^63)), q(string.format("%s", math.mininteger)), q(string.format("%s", 1e100)))
print(q(string.format("%10s|%-10s|%.2s|%5.1s|%-5.3s|", "right", "left", "cut", "xyz", "abcdef")))
print(q(string.format("%.0s|%.s|%.99s", "gone", "gone", "kept")))
print(q(string.format("%s", "a\0b")))
print(q(string.format("\0%s\0", "\0\0\1")))
print(q(string.format("%s\0 is not \0%s", "not be", "be")))
print(pcall(string.format, "%10s", "\0"))
print(pcall(string.format, "%.1s", "a\0"))
print(pcall(string.format, "%-s", "a\0"))
print(q(string.format("%-5s|", "ab")))
print(q(string.format("%5s", string.rep("x", 10))))
print(#string.format("%s", string.rep("x", 1000)))
print(#string.format("%5s", string.rep("x", 200)))
print(pcall(string.format, "%.150s", string.rep("x", 200)))
print(#string.format("%99s", "x"))
print(pcall(string.format, "%100s", "x"))
print(pcall(string.format, "%05s", "x"))
print(pcall(string.format, "%+s", "x"))
print(pcall(string.format, "%#s", "x"))
print(pcall(string.format, "% s", "x"))
-- __tostring and __name
local m = setmetatable({}, {__tostring = function() return "hello" end, __name = "hi"})
print(string.format("%s %.10s %8s|%-8s|%.2s", m, m, m, m, m))
getmetatable(m).__tostring = nil
print((string.format("%.4s", m)))
print((string.format("%s", m):gsub("0x%x+", "ADDR")))
getmetatable(m).__tostring = function() return 42 end
print(pcall(string.format, "%s", m))
getmetatable(m).__tostring = function() return {} end
print(pcall(string.format, "%s", m))
getmetatable(m).__tostring = function() error("inside tostring") end
print(pcall(string.format, "%s", m))
print(string.format("%s %s", nil, true), string.format("%s %.4s", false, true), string.format("%.3s %.3s", false, true))
-- %p: non-objects are (null); objects print an address
print(string.format("%p|%p|%p|%p", 4, true, nil, 1.5))
print(string.format("%10p|%-12p|", false, 1.5))
local t = {}
print(string.format("%p", t) == string.format("%p", t), string.format("%p", t) ~= string.format("%p", {}))
print(string.format("%p", t):match("^0x%x+$") ~= nil, #string.format("%90p", t), #string.format("%-60p", t))
print(pcall(string.format, "%.3p", t))
print(pcall(string.format, "%03p", t))
print(pcall(string.format, "%p"))
-- more arguments than conversions are ignored
print(string.format("%s-%s", "a", "b", "c", "d"))
print(string.format("no conversions", 1, 2))
print(string.format(""), string.format("%%"), string.format("%%%%"))
print(string.format(12), string.format(1.5))
