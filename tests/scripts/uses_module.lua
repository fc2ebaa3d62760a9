local greet = require("lib.greet")
function on_spawn(self)
  emit("greeting", greet.greeting("moon"))
end
