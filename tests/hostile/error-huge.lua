-- Raises an error with a 4 MB message every frame (the report is cut, not copied and logged).
function on_update(self)
  error(('x'):rep(1 << 22))
end
