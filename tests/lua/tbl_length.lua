-- The length operator on sequences (only on tables without holes).
local t = {}
print(#t)
for i = 1, 100 do t[i] = i * i end
print(#t, t[#t])
t[#t + 1] = "appended"
print(#t, t[#t])
t[#t] = nil
print(#t)
for i = 100, 51, -1 do t[i] = nil end
print(#t)
while #t > 0 do t[#t] = nil end
print(#t, next(t))
-- growing by #t+1 in a loop
local s = {}
for i = 1, 1000 do s[#s + 1] = i end
print(#s, s[1], s[500], s[1000])
-- strings
print(#"", #"abc", #"\0\0\0")
-- length of a sequence built in the hash part
local h = {}
h[3] = 3; h[2] = 2; h[1] = 1
print(#h)
local h2 = { n = 0 }
for i = 1, 20 do h2[i] = true end
print(#h2)
-- a table used as both sequence and record
local rec = { "a", "b", "c", name = "rec", size = 3 }
print(#rec, rec.name, rec.size)
-- shrinking sequences with table.remove
local q = { 1, 2, 3, 4, 5 }
table.remove(q)
print(#q)
table.remove(q, 1)
print(#q, q[1])
-- rawlen matches # for plain tables
print(rawlen({ 1, 2, 3 }), rawlen("abcd"))
print(pcall(function() return rawlen(5) end))
-- length of other types
print(pcall(function() return #nil end))
print(pcall(function() local f = print; return #f end))
print(pcall(function() return #3.5 end))
