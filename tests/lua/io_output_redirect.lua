-- io.output / io.input switching, io.write return values, io.close on defaults.
local name = "/tmp/moonpool_golden_output_redirect.txt"
print(io.output() == io.stdout, io.input() == io.stdin)
local f = io.output(name)
print(io.type(f), io.output() == f)
print(io.write("to file ", 1, " ", 2.0, "\n") == f)
io.write("second\n")
print(io.close())
print(io.type(f))
io.output(io.stdout)
print(io.write("back on stdout\n") == io.stdout)
local r = io.input(name)
print(io.read("L"), io.read("l"), io.read("l"))
print(io.close(r))
io.input(io.stdin)
print(pcall(io.output, "/tmp/moonpool_golden_no_dir/x"))
print(pcall(io.input, "/tmp/moonpool_golden_missing_input.txt"))
print(pcall(io.output, {}))
print(pcall(io.close, 42))
-- io.lines without a file name reads io.input()
io.input(name)
local n = 0
for l in io.lines() do n = n + 1 end
print(n)
io.input():close()
io.input(io.stdin)
-- a to-be-closed file closes at scope exit
do
  local c <close> = assert(io.open(name))
  print(c:read("l"))
  f = c
end
print(io.type(f))
-- io.lines with a file name closes it after the loop
for l in io.lines(name) do end
print(pcall(io.lines, "/tmp/moonpool_golden_missing_lines.txt"))
os.remove(name)
io.stdout:write("stdout method", "\n")
print(io.stdout:seek("cur") ~= false)
