-- A plain busy loop in a callback.
function on_update(self) while true do end end
