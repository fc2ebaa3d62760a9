local b = require('cycle_b')
return { name = 'a', b = b }
