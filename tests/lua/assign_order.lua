-- Multiple assignment semantics.
local a, b = 1, 2
a, b = b, a
print(a, b)
local t = { 10, 20, 30 }
local i, j = 1, 3
t[i], t[j] = t[j], t[i]
print(t[1], t[2], t[3])
-- i, t[i] = i+1, 20 : the subscript uses the old i
i = 3
local arr = {}
i, arr[i] = i + 1, 20
print(i, arr[3], arr[4])
-- all expressions are evaluated before assignment
local x, y, z = 1, 2, 3
x, y, z = z, x, y
print(x, y, z)
-- extra values are dropped, missing values become nil
local p, q = 1
print(p, q)
p, q = 1, 2, 3
print(p, q)
local function three() return 7, 8, 9 end
p, q = three()
print(p, q)
local r
p, q, r = three(), 1
print(p, q, r)
p, q, r = 0, three()
print(p, q, r)
p, q, r = (three())
print(p, q, r)
-- swapping table fields and globals
local obj = { left = "L", right = "R" }
obj.left, obj.right = obj.right, obj.left
print(obj.left, obj.right)
G1, G2 = "g1", "g2"
G1, G2 = G2, G1
print(G1, G2)
-- rotating through a table
local ring = { 1, 2, 3, 4 }
ring[1], ring[2], ring[3], ring[4] = ring[2], ring[3], ring[4], ring[1]
print(table.concat(ring, " "))
-- evaluation of the table expression in the target happens before assignment
local tabs = { { v = 1 }, { v = 2 } }
local k = 1
local function nextk() k = k + 1; return k end
tabs[k].v, tabs[nextk()].v = "a", "b"
print(tabs[1].v, tabs[2].v, k)
-- assignment with function-call values evaluated left to right
local log = {}
local function L(v) log[#log + 1] = v; return v end
local u1, u2, u3 = L(1), L(2), L(3)
print(table.concat(log, ","), u1, u2, u3)
-- nested table assignment chain
local root = { child = { grand = {} } }
root.child.grand.value, root.child.name = "deep", "kid"
print(root.child.grand.value, root.child.name)
-- compound use of the same local
local n = 5
n = n + 1
n = n * n
print(n)
