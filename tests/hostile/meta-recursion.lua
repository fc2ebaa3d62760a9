-- Recursion through an `__index` function.
function on_update(self)
  local t = setmetatable({}, {__index = function(t, k) return t[k .. 'x'] end})
  return t.a
end
