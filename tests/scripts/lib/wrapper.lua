-- Requires lib/version.lua: a module between a script and the module a test edits.
local version = require('lib.version')
return { get = function() return version.value * 10 end }
