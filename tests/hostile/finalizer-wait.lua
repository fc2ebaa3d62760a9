-- Waits for a finalizer to run: PUC Lua ends this loop at its first collection.
function on_spawn(self)
  local name
  setmetatable({}, {__gc = function() name = 'collected' end})
  repeat local a = {} until name
  emit('done', name)
end
