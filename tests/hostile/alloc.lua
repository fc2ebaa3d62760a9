-- Allocates tables without end.
function on_update(self) local t = {} while true do t[#t + 1] = {} end end
