-- A pattern that backtracks exponentially.
function on_update(self)
  local s = ('a'):rep(40)
  s:find(('a*'):rep(40) .. 'b')
end
