-- Keeps 16 MiB more in `self` every frame, within each run's allocation budget.
function on_update(self)
  self.hoard = self.hoard or {}
  local s = ('x'):rep(1 << 20)
  for i = 1, 16 do self.hoard[#self.hoard + 1] = s .. #self.hoard end
end
