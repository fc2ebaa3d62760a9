-- Class-like OOP with three levels of inheritance.
local function class(parent)
  local c = {}
  c.__index = c
  if parent then setmetatable(c, { __index = parent }) end
  c.new = function(...)
    local o = setmetatable({}, c)
    if o.init then o:init(...) end
    return o
  end
  c.super = parent
  return c
end
local Shape = class()
function Shape:init(name) self.name = name; self.kind = "shape" end
function Shape:area() return 0 end
function Shape:describe() return self.name .. " (" .. self.kind .. ") area=" .. self:area() end
function Shape:id() return "Shape.id" end
local Rect = class(Shape)
function Rect:init(name, w, h)
  Shape.init(self, name)
  self.kind = "rect"
  self.w, self.h = w, h
end
function Rect:area() return self.w * self.h end
function Rect:id() return "Rect.id>" .. Shape.id(self) end
local Square = class(Rect)
function Square:init(name, s)
  Rect.init(self, name, s, s)
  self.kind = "square"
end
function Square:id() return "Square.id>" .. self.super.id(self) end
local shapes = { Shape.new("blob"), Rect.new("r", 2, 3), Square.new("sq", 4) }
for _, s in ipairs(shapes) do print(s:describe(), s:id()) end
-- method lookup goes up the chain
print(Square.area == Rect.area, Square.describe == Shape.describe, rawget(Square, "area"))
-- instance overrides
local sq = shapes[3]
function sq:area() return -1 end
print(sq:describe(), Square.new("other", 1):describe())
-- isinstance via metatable chain
local function isinstance(o, cls)
  local c = getmetatable(o)
  while c do
    if c == cls then return true end
    local m = getmetatable(c)
    c = m and m.__index
  end
  return false
end
print(isinstance(sq, Square), isinstance(sq, Rect), isinstance(sq, Shape), isinstance(shapes[2], Square))
-- class-level fields and counters shared through inheritance
Shape.count = 0
function Shape:register() Shape.count = Shape.count + 1; return Shape.count end
print(shapes[1]:register(), shapes[2]:register(), sq:register(), Square.count)
-- metamethods are not inherited through __index (each class sets its own)
Shape.__tostring = function(s) return "Shape:" .. s.name end
print(tostring(shapes[1]), tostring(shapes[2]):sub(1, 6))
Rect.__tostring = Shape.__tostring
print(tostring(shapes[2]))
-- super calls with varargs
local Base = class()
function Base:sum(...) local s = 0; for i = 1, select("#", ...) do s = s + select(i, ...) end return s end
local Derived = class(Base)
function Derived:sum(...) return "derived:" .. Base.sum(self, ...) end
print(Derived.new():sum(1, 2, 3, 4))
