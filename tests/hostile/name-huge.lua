-- An error message that names a type with a megabyte `__name`.
function on_update(self)
  local t = setmetatable({}, {__name = ('x'):rep(1 << 20)})
  return t + 1
end
