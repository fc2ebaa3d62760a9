local a = require('cycle_a')
return { name = 'b', a = a }
