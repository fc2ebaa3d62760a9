-- middleclass-like class library: __index chains, 3-level inheritance, __call constructors, super calls, __tostring/__eq/__lt/__add.
local N = 250000

---------------------------------------------------------------- tiny class library
local function create_class(name, super)
  local cls = { name = name, super = super, static = {}, __instanceDict = {} }
  local dict = cls.__instanceDict
  dict.__index = dict
  if super then
    -- copy metamethods down (like middleclass) and chain lookups to the parent dict
    for _, mm in ipairs({ "__tostring", "__eq", "__lt", "__le", "__add", "__len" }) do
      dict[mm] = super.__instanceDict[mm]
    end
    setmetatable(dict, { __index = super.__instanceDict })
  end
  setmetatable(cls, {
    __index = dict,
    __newindex = function(c, k, v) rawset(dict, k, v) end, -- methods go into the instance dict
    __tostring = function() return "class " .. name end,
    __call = function(c, ...) return c:new(...) end,
  })
  return cls
end

local Object = create_class("Object")
function Object.new(cls, ...)
  local obj = setmetatable({ class = cls }, cls.__instanceDict)
  obj:initialize(...)
  return obj
end
function Object:initialize() end
function Object:isInstanceOf(cls)
  local c = self.class
  while c do
    if c == cls then return true end
    c = c.super
  end
  return false
end
local function subclass(super, name)
  return create_class(name, super) -- new/initialize are found through the dict chain
end

---------------------------------------------------------------- classes
local Point = subclass(Object, "Point")
function Point:initialize(x, y) self.x, self.y = x, y end
function Point:len2() return self.x * self.x + self.y * self.y end
function Point:translate(dx, dy) return self.class(self.x + dx, self.y + dy) end
function Point:weight() return 1 end
function Point:__tostring() return "(" .. self.x .. "," .. self.y .. ")" end
function Point.__eq(a, b) return a.x == b.x and a.y == b.y end
function Point.__lt(a, b) return a:len2() < b:len2() end
function Point.__add(a, b) return Point(a.x + b.x, a.y + b.y) end

local Point3 = subclass(Point, "Point3")
function Point3:initialize(x, y, z)
  Point.initialize(self, x, y) -- super call
  self.z = z or 0
end
function Point3:len2() return Point.len2(self) + self.z * self.z end
function Point3:translate(dx, dy, dz)
  local p = Point.translate(self, dx, dy)
  p.z = self.z + (dz or 0)
  return p
end
function Point3:weight() return Point.weight(self) + 1 end
function Point3:__tostring() return "(" .. self.x .. "," .. self.y .. "," .. self.z .. ")" end

local Particle = subclass(Point3, "Particle")
function Particle:initialize(x, y, z, mass)
  Point3.initialize(self, x, y, z)
  self.mass = mass or 1
end
function Particle:weight() return Point3.weight(self) * self.mass end
function Particle:energy() return self.mass * self:len2() end
function Particle:__tostring() return "P" .. Point3.__tostring(self) .. "m" .. self.mass end

---------------------------------------------------------------- workload
local acc, eq_count, lt_count, inst_count, strlen = 0, 0, 0, 0, 0
local prev = Particle(0, 0, 0, 1)
local origin = Point(0, 0)
for i = 1, N do
  local a = Point(i % 17, i % 13)
  local b = Point3(i % 7, i % 5, i % 3)
  local c = Particle(i % 11, i % 19, i % 23, i % 4 + 1)
  local d = a + b                       -- __add via Point (b is a Point3)
  local e = c:translate(1, -1, 2)       -- Point.translate -> Particle(...) via __call
  acc = acc + d:len2() + e:energy() % 1000 + a:weight() + b:weight() + c:weight()
  if a == d then eq_count = eq_count + 1 end    -- __eq
  if b < c then lt_count = lt_count + 1 end     -- __lt (inherited metamethod)
  if c < prev then lt_count = lt_count + 2 end
  if e:isInstanceOf(Point) and not a:isInstanceOf(Point3) then inst_count = inst_count + 1 end
  if i % 64 == 0 then strlen = strlen + #tostring(e) + #tostring(b) + #tostring(d) end
  if d == origin then eq_count = eq_count + 100 end
  prev = c
end
print(tostring(Particle), tostring(Particle(1, 2, 3, 4)), tostring(Point3(1, 2)), tostring(Point(5, 6)))
print("N", N, "acc", acc, "eq", eq_count, "lt", lt_count, "inst", inst_count, "strlen", strlen)
