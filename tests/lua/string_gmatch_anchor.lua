-- string.gmatch: captures, position captures, empty matches, '^' in gmatch, init.
for w in ("one two  three"):gmatch("%a+") do io.write("<", w, ">") end
print()
for k, v in ("a=1, b=2, c=3"):gmatch("(%w+)=(%w+)") do io.write(k, "->", v, " ") end
print()
for p in ("abc"):gmatch("()") do io.write(p, " ") end
print()
for e in ("abc"):gmatch("x*") do io.write("[", e, "]") end
print()
for a, b in ("hello world"):gmatch("()o()") do io.write(a, "-", b, " ") end
print()
-- in gmatch a leading '^' is not an anchor
for m in ("^a^b"):gmatch("^%a") do io.write(m, " ") end
print()
local n = 0
for _ in ("aaa"):gmatch("^a") do n = n + 1 end
print(n)
-- the init argument (5.4)
for w in ("abc def ghi"):gmatch("%a+", 5) do io.write(w, " ") end
print()
for w in ("abc def ghi"):gmatch("%a+", -3) do io.write(w, " ") end
print()
for w in ("abc"):gmatch(".", 10) do io.write(w, " ") end
print("end")
-- the iterator can be called by hand
local it = ("x1y2"):gmatch("%d")
print(it(), it(), it())
print(pcall(string.gmatch))
print(pcall(string.gmatch, "x"))
print(pcall(function() for _ in ("x"):gmatch("(") do end end))
