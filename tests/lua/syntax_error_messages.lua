-- Compile errors reported by load: one line each.
local cases = {
  "x = ", "x = = 1", "local 1 = 2", "f(", "a.b:c = 1", "return return", "if x then",
  "for i = 1 do end", "for a, b = 1, 2 do end", "function f(a,) end", "function f(...,a) end",
  "local t = {1 2}", "x = 1 +* 2", "x = 'unfinished", "x = [[unfinished", "--[[ unfinished",
  "x = \"bad \\q escape\"", "x = '\\300'", "x = '\\u{110000000}'", "x = '\\xZZ'", "x = 0x", "x = 1e+",
  "x = 3..4", "local x <foo> = 1", "local x <const> = 1; x = 2", "local x <close>, y <close> = 1, 2",
  "(f)", "a, b", "x.y", "goto 1", "::a", "return 1,", "while true", "repeat", "elseif",
  "end", "x = }", "local function end", "t = {[1] 2}", "x = ...", "function f() x = ... end",
  "a = b = c", "local a.b = 1", "x = #", "x = not", "f{}.x = 1", "x = @", "x = 1 2",
}
for _, src in ipairs(cases) do
  local f, err = load(src, "=src")
  print(string.format("%-40s %s", src:gsub("\n", "\\n"), f and "OK" or err))
end
