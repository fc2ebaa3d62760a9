-- loadfile: the mode argument and the message for a missing file.
local path = "/tmp/moonpool_golden_loadfile_mode.lua"
local f = assert(io.open(path, "w")); f:write("return 1\n"); f:close()
print(loadfile(path, "b"))
print(select("#", loadfile(path, "b")))
os.remove(path)
print(loadfile("/tmp/moonpool_golden_no_such_file.lua"))
print(pcall(dofile, "/tmp/moonpool_golden_no_such_file.lua"))
