-- An `xpcall` message handler that never returns, then keeps running.
function on_update(self)
  -- The handler is stopped, xpcall returns "error in error handling", and the spent
  -- budget stops the script at its next call.
  xpcall(error, function() while true do end end)
  error('still running')
end
