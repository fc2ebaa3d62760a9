-- Objects with a metatable/__index class and method calls in a loop.
local Point = {}
Point.__index = Point
function Point.new(x, y) return setmetatable({ x = x, y = y }, Point) end
function Point:add(o) self.x = self.x + o.x; self.y = self.y + o.y; return self end
function Point:scale(k) self.x = self.x * k; self.y = self.y * k; return self end
function Point:dot(o) return self.x * o.x + self.y * o.y end
local Point3 = setmetatable({}, { __index = Point })
Point3.__index = Point3
function Point3.new(x, y, z) local p = Point.new(x, y); p.z = z; return setmetatable(p, Point3) end
function Point3:norm1() return self.x + self.y + self.z end
local N = 5000000
local a, b = Point.new(1, 2), Point.new(3, 4)
local c = Point3.new(1, 1, 1)
local acc = 0
for i = 1, N do
  a:add(b)
  a:scale(1)
  acc = acc + a:dot(b) % 1000 + c:norm1()
  if i % 1000 == 0 then a.x, a.y = 1, 2 end
end
print("checksum", acc, a.x, a.y)
