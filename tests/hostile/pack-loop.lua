-- `string.pack` of megabyte fields, without end.
function on_update(self)
  while true do string.pack('c1000000', 'x') end
end
