-- Broadcasts to every script, and to itself, without end: each message would wake every script.
function on_event(self, name, payload)
  send("all", "echo", payload)
end

function on_update(self)
  while true do send("all", "storm", {1, 2, 3, {deep = true}}) end
end
