-- Objects whose `__gc` never returns.
function on_update(self)
  for i = 1, 100 do
    setmetatable({}, {__gc = function() while true do end end})
  end
  collectgarbage('count')
  local t = {} for i = 1, 1e4 do t[i] = {} end
end
