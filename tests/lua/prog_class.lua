-- A small class system with constructors, inheritance, mixins, properties and tostring.
local function sort(a, lt)
  for i = 2, #a do
    local v = a[i]
    local j = i - 1
    while j >= 1 and lt(v, a[j]) do a[j + 1] = a[j]; j = j - 1 end
    a[j + 1] = v
  end
  return a
end
local Object = { __name_ = "Object" }
Object.__index = Object
function Object:extend(name)
  local cls = {}
  for k, v in pairs(self) do
    if k:sub(1, 2) == "__" then cls[k] = v end
  end
  cls.__index = cls
  cls.__name_ = name
  cls.super = self
  return setmetatable(cls, self)
end
function Object:new(...)
  local obj = setmetatable({}, self)
  obj:init(...)
  return obj
end
function Object:init() end
function Object:is(cls)
  local mt = getmetatable(self)
  while mt do
    if rawequal(mt, cls) then return true end
    mt = getmetatable(mt)
  end
  return false
end
function Object:__tostring() return self.__name_ .. "()" end
function Object:implement(mixin)
  for k, v in pairs(mixin) do if self[k] == nil then self[k] = v end end
end
local Comparable = {
  __lt = function(a, b) return a:key() < b:key() end,
  __le = function(a, b) return a:key() <= b:key() end,
  __eq = function(a, b) return a:key() == b:key() end,
}
local Animal = Object:extend("Animal")
for k, v in pairs(Comparable) do Animal[k] = v end
function Animal:init(name, legs) self.name = name; self.legs = legs end
function Animal:key() return self.legs * 1000 + #self.name end
function Animal:speak() return "..." end
function Animal:describe() return self.name .. " says " .. self:speak() .. " on " .. self.legs .. " legs" end
function Animal:__tostring() return self.__name_ .. "(" .. self.name .. ")" end
local Dog = Animal:extend("Dog")
function Dog:init(name, breed) Dog.super.init(self, name, 4); self.breed = breed end
function Dog:speak() return "woof" end
local Puppy = Dog:extend("Puppy")
function Puppy:speak() return Dog.speak(self) .. " (squeaky)" end
local Bird = Animal:extend("Bird")
function Bird:init(name) Animal.init(self, name, 2) end
function Bird:speak() return "tweet" end
local Serializable = {
  serialize = function(self)
    local keys = {}
    for k in pairs(self) do keys[#keys + 1] = k end
    sort(keys, function(a, b) return a < b end)
    local parts = {}
    for _, k in ipairs(keys) do parts[#parts + 1] = k .. "=" .. tostring(self[k]) end
    return self.__name_ .. "{" .. table.concat(parts, ",") .. "}"
  end,
}
Dog:implement(Serializable)
local zoo = { Dog:new("rex", "lab"), Bird:new("tweety"), Puppy:new("bit", "pug"), Animal:new("snake", 0) }
for _, a in ipairs(zoo) do print(tostring(a), a:describe()) end
print(zoo[1]:serialize(), zoo[3]:serialize())
print(zoo[3]:is(Dog), zoo[3]:is(Animal), zoo[3]:is(Object), zoo[2]:is(Dog))
sort(zoo, function(a, b) return a < b end)
local names = {}
for i, a in ipairs(zoo) do names[i] = a.name end
print(table.concat(names, " "))
print(Dog:new("a", "x") == Dog:new("b", "y"), Dog:new("ab", "x") == Puppy:new("cd", "y"), zoo[1] <= zoo[2])
-- properties via __index/__newindex functions
local Prop = Object:extend("Prop")
Prop.__index = function(t, k)
  local getter = rawget(Prop, "get_" .. k)
  if getter then return getter(t) end
  return Prop[k]
end
Prop.__newindex = function(t, k, v)
  local setter = rawget(Prop, "set_" .. k)
  if setter then setter(t, v) else rawset(t, k, v) end
end
function Prop:init(w, h) rawset(self, "_w", w); rawset(self, "_h", h) end
function Prop:get_area() return self._w * self._h end
function Prop:set_width(w) rawset(self, "_w", w) end
local p = Prop:new(3, 4)
print(p.area)
p.width = 10
print(p.area, p._w, rawget(p, "width"))
p.other = "plain"
print(rawget(p, "other"), tostring(p))
