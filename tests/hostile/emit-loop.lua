-- Emits messages to Rust without end.
function on_update(self)
  while true do emit('x', 1) end
end
