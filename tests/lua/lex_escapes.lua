-- Every escape sequence, shown via string.byte.
local function bytes(s)
  local parts = {}
  for i = 1, #s do parts[#parts + 1] = string.byte(s, i) end
  return #s .. ":" .. table.concat(parts, " ")
end

print(bytes("\a\b\f\n\r\t\v"))
print(bytes("\\ \" \' "))
print(bytes('"double" in single'))
print(bytes("'single' in double"))
print(bytes("a\
b"))
print(bytes("\0"))
print(bytes("\00"))
print(bytes("\000"))
print(bytes("\0001"))
print(bytes("\65\066\0671"))
print(bytes("\255\254\1\12\123\1234"))
print(bytes("\x41\x62\x7A\xff\xFF\x00"))
print(bytes("\u{41}"))
print(bytes("\u{7F}\u{80}"))
print(bytes("\u{FF}\u{100}"))
print(bytes("\u{7FF}\u{800}"))
print(bytes("\u{FFFF}\u{10000}"))
print(bytes("\u{10FFFF}"))
print(bytes("\u{110000}"))
print(bytes("\u{1FFFFF}\u{200000}"))
print(bytes("\u{3FFFFFF}\u{4000000}"))
print(bytes("\u{7FFFFFFF}"))
print(bytes("\u{000000041}"))
print(bytes("\u{20AC}"), "\u{20AC}")
print(bytes("a\z
            b"))
print(bytes("a\z    b\z
  \z
  c"))
print(bytes("x\z"))
print("tab:[\t] end")
print(bytes("\r\n"))
-- escapes in single-quoted strings
print(bytes('\x20\65\u{42}\z   C'))
-- invalid escapes are compile errors
local bad = {
  [["\q"]],
  [["\x4"]],
  [["\xg0"]],
  [["\256"]],
  [["\u{110000000}"]],
  [["\u{}"]],
  [["\u41"]],
  [["\u{41"]],
  [["abc]],
  "'abc\ndef'",
}
for i = 1, #bad do
  local f, msg = load("return " .. bad[i], "=esc")
  print(i, f, msg)
end
