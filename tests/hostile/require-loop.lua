-- Requires modules that do not exist, a new name each time, without end (each asks the host
-- to load an asset).
function on_update(self)
  local i = 0
  while true do i = i + 1 pcall(require, "missing" .. i) end
end
