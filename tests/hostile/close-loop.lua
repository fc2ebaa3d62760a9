-- `__close` handlers that never return: on every callback, and in tasks cancelled at despawn.
local mt = {__close = function() while true do end end}
function on_spawn(self)
  for i = 1, 100 do
    task.spawn(function() local x <close> = setmetatable({}, mt) wait(1e9) end)
  end
end
function on_update(self)
  local y <close> = setmetatable({}, mt)
end
