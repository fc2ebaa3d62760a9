-- Plain `string.find` of a long needle that almost matches everywhere, without end.
function on_update(self)
  local s = ('a'):rep(1e6) local n = ('a'):rep(5e4) .. 'b'
      while true do s:find(n, 1, true) end
end
