-- Table growth, rehash and mixed key kinds.
local function count(t) local n = 0 for _ in pairs(t) do n = n + 1 end return n end
local t = {}
-- interleave array and hash insertions so the table rehashes many times
for i = 1, 5000 do
  t[i] = i
  t["s" .. i] = -i
  t[i + 0.5] = i
  t[-i] = i * 2
end
print(count(t), #t, t[2500], t["s2500"], t[2500.5], t[-2500])
-- delete half of everything, then reinsert
for i = 1, 5000, 2 do
  t[i] = nil; t["s" .. i] = nil; t[i + 0.5] = nil; t[-i] = nil
end
print(count(t), t[1], t[2], t["s2"], t[-2])
for i = 1, 5000, 2 do t["s" .. i] = i end
print(count(t), t["s1"], t["s4999"])
-- sparse integer keys far apart stay in the hash part and are all reachable
local sparse = {}
for i = 0, 62 do sparse[1 << i] = i end
local ok = true
for i = 0, 62 do if sparse[1 << i] ~= i then ok = false end end
print(count(sparse), ok, sparse[1], sparse[1 << 62])
-- negative, zero and huge integer keys
local odd = { [0] = "zero", [-1] = "minus one", [math.maxinteger] = "max", [math.mininteger] = "min" }
print(odd[0], odd[-1], odd[math.maxinteger], odd[math.mininteger])
-- a table filled backwards still has the right length
local back = {}
for i = 1000, 1, -1 do back[i] = i end
print(#back, back[1], back[1000])
-- filling from the middle outward
local mid = {}
for i = 500, 1000 do mid[i] = true end
for i = 499, 1, -1 do mid[i] = true end
print(#mid)
-- boolean and table keys mixed with numbers
local mixed, keys = {}, {}
for i = 1, 100 do keys[i] = {} end
for i = 1, 100 do mixed[keys[i]] = i; mixed[i] = -i end
mixed[true] = "T"; mixed[false] = "F"
local s = 0
for i = 1, 100 do s = s + mixed[keys[i]] + mixed[i] end
print(s, mixed[true], mixed[false], count(mixed))
-- overwriting values does not change the number of entries
for i = 1, 100 do mixed[keys[i]] = "x" end
print(count(mixed))
-- many tables with a few fields each
local objs = {}
for i = 1, 10000 do objs[i] = { id = i, name = "n" .. i, [1] = i, [2] = i * 2 } end
local sum = 0
for i = 1, #objs do local o = objs[i]; sum = sum + o.id + o[1] + o[2] + #o.name end
print(sum)
-- next() after a key was removed during traversal keeps working
local del = {}
for i = 1, 200 do del["k" .. i] = i end
local seen = 0
for k in pairs(del) do del[k] = nil; seen = seen + 1 end
print(seen, next(del))
-- length operator after setting t[#t+1] in the hash part
local h = { 1, 2, 3 }
h[5] = 5
h[4] = 4
print(#h)
