-- reference: PUC Lua 5.4.8 (a call is on the line of its arguments since 5.4.8; 5.4.4 used the
-- line where the expression started)
local function line_of(src)
  local ok, msg = pcall(load(src))
  return ok, msg
end
print(line_of("a\n(\n23)\n"))
print(line_of("local a = {x = 13}\na\n.\nx\n(\n23\n)"))
print(line_of("local a = {x = 13}\na\n:\nx\n(\n23\n)"))
print(line_of("local a = {x = 13}\na\n.\nx\n(\n23 + a\n)"))
print(line_of("local f = nil\nf\n{\n}"))
print(line_of("local f = nil\nf\n'str'"))
-- the iterator of a generic for is called on the line after `in`
print(line_of("\n\n for k,v in \n 3 \n do \n print(k) \n end"))
print(line_of("for k,v in\n\n next, 3 do end"))
print(load("f(\n1,\n2"))
