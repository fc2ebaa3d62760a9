-- Infinite recursion.
function on_update(self) local function r(n) return r(n + 1) + 1 end r(1) end
