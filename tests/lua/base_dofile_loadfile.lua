-- dofile and loadfile: return values, environments, modes, missing files, syntax errors.
local path = "/tmp/moonpool_golden_dofile.lua"
local function put(s)
  local f = assert(io.open(path, "w"))
  f:write(s)
  f:close()
end
put("local a, b = ...\nreturn 1, 'two', a, b, x\n")
print(dofile(path))
print(select("#", dofile(path)))
local f = assert(loadfile(path))
print(type(f), f("A", "B"))
x = "global x"
print(f())
local g = assert(loadfile(path, "t", { x = "env x" }))
print(g(10))
-- a chunk with a syntax error
put("return 1 +\n")
local r, msg = loadfile(path)
print(r, (msg:gsub("^.-:", "FILE:")))
print(pcall(dofile, path))
-- a chunk raising a runtime error: dofile propagates it
put("error('boom from file')\n")
local ok, e = pcall(dofile, path)
print(ok, (e:gsub("^.-:", "FILE:")))
put("error({ code = 7 })\n")
ok, e = pcall(dofile, path)
print(ok, type(e), e.code)
-- shebang line is skipped
put("#!/usr/bin/env lua\nreturn 'shebang ok'\n")
print(dofile(path))
-- missing file
os.remove(path)
print(select("#", loadfile("/tmp/moonpool_golden_no_such_file.lua")))
print((loadfile("/tmp/moonpool_golden_no_such_file.lua")))
print((pcall(dofile, "/tmp/moonpool_golden_no_such_file.lua")))
-- argument errors
print(pcall(loadfile, {}))
print(pcall(dofile, {}))
