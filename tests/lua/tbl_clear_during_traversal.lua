local t = {1,2,3,4,5, x=1, y=2}
for k, v in pairs(t) do t[k] = nil end
print(next(t), #t)
local u = {1,2,3}
for i = #u, 1, -1 do u[i] = nil end
print(#u, next(u))
local w = {10,20,30}
for k in pairs(w) do if k == 3 then w[3] = nil end end
print(#w)
local z = {1,2,3,nil,5}
print(#z == 5 or #z == 3)
table.insert(u, "a") print(#u, u[1])
