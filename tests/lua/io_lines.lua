-- io.lines and file:lines with formats, closing at the end, errors on closed files.
local name = os.tmpname()
local f = assert(io.open(name, "w"))
f:write("first\n\nthird line\n10 20 30\nlast")
f:close()
for l in io.lines(name) do io.write("[", l, "]") end print()
for l in io.lines(name, "L") do io.write("[", l, "]") end print()
for a, b in io.lines(name, 1, 2) do io.write("<", a, "|", tostring(b), ">") end print()
for c in io.lines(name, "a") do io.write(#c, " ") break end print()
local it = io.lines(name)
local n = 0
while it() do n = n + 1 end
print("lines", n)
print(pcall(it))
print(pcall(it))
f = assert(io.open(name))
local cnt = 0
for l in f:lines() do cnt = cnt + 1 end
print(cnt, io.type(f), f:read("a"))
f:seek("set")
for a, b, c in f:lines("n", "n", "n") do print(a, b, c) break end
f:close()
print(pcall(f.lines, f))
-- the default input
io.input(name)
local got = {}
for l in io.lines() do got[#got + 1] = l end
print(#got, got[1], got[#got])
print(io.type(io.input()))
io.input():close()
print(pcall(io.lines))
io.input(io.stdin)
-- io.lines returns the file as a to-be-closed 4th value
local r = table.pack(io.lines(name))
print(r.n, type(r[1]), r[2], r[3], io.type(r[4]))
r[4]:close()
print(pcall(r[1]))
-- breaking out of the loop closes the file
local keep
for l, _ in io.lines(name) do keep = l break end
print(keep)
-- numbers per line
f = assert(io.open(name, "w"))
f:write("00\n10\n20\n30\n40\n")
f:close()
for a, b in io.lines(name, "n", "n") do print(a, b) end
-- errors
print(pcall(io.lines, "/this/file/does/not/exist"))
print(select("#", io.lines(name, "x")))
local t = {}
for i = 1, 250 do t[i] = 1 end
print(select("#", io.lines(name, table.unpack(t))))
t[251] = 1
print(pcall(io.lines, name, table.unpack(t)))
os.remove(name)
