-- Saved with a UTF-8 byte order mark (as Windows editors do): it loads like any script.
function on_spawn(self) emit("bom_loaded", debug.getinfo(1, "l").currentline) end
