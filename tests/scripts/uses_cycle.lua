local a = require('cycle_a')
function on_spawn(self) emit('loaded', a.name) end
