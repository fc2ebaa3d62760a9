-- Short strings (up to 40 bytes) are interned; longer ones are distinct objects that compare
-- equal by contents (%p shows identity). Equal long literals of one chunk are one string.
local function addr(s) return string.format("%p", s) end
local s1 = string.rep("a", 40); local s2 = string.rep("a", 40)
print("short shared", addr(s1) == addr(s2))
local l1 = string.rep("a", 41); local l2 = string.rep("a", 41)
print("long distinct", addr(l1) ~= addr(l2), l1 == l2, rawequal(l1, l2))
print("long vs prefix", l1 == string.rep("a", 40), l1 < l2, l1 <= l2)
local lit1 = "0123456789012345678901234567890123456789-long"
local function lit2() return "0123456789012345678901234567890123456789-long" end
print("literals shared", addr(lit1) == addr(lit2()))
local built = "0123456789" .. "012345678901234567890123456789-long"
print("built equal, distinct", built == lit1, addr(built) ~= addr(lit1))
-- table keys by contents
local t = {}
t[l1] = 1
print("key lookup", t[l2], t[string.rep("a", 41)], rawget(t, l2))
t[l2] = 2
local n = 0
for k, v in pairs(t) do n = n + 1 end
print("one key", n, t[l1])
t[built] = "x"
print(t[lit1], next({[l1] = true}) == l2)
-- gsub without a match returns the same (long) string, with one a new string
local r = string.gsub(l1, "b", "c")
print("gsub no match same", addr(r) == addr(l1))
local r2 = string.gsub(l1, "a", "a")
print("gsub match new", r2 == l1, addr(r2) ~= addr(l1))
