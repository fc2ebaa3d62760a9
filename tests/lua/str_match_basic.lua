-- string.match: whole matches, single and multiple captures, failures.
local function show(...)
  local t = table.pack(...)
  for i = 1, t.n do
    local v = t[i]
    t[i] = type(v) == "string" and string.format("%q", v) or tostring(v)
  end
  print(table.concat(t, " "))
end

show(string.match("hello world", "%a+"))
show(string.match("hello world", "%a+", 6))
show(string.match("hello world", "(%a+) (%a+)"))
show(string.match("hello world", "o w"))
show(string.match("hello world", "xyz"))
show(string.match("key=value", "(%w+)=(%w+)"))
show(string.match("  padded  ", "^%s*(.-)%s*$"))
show(string.match("2024-06-30", "(%d+)-(%d+)-(%d+)"))
show(string.match("Date: 2024-06-30", "%d%d%d%d"))
show(string.match("price: $42.50", "%$(%d+)%.(%d+)"))
show(string.match("abc123def", "%d+"))
show(string.match("abc123def", "%a+$"))
show(string.match("abc123def", "^%a+"))
show(string.match("abc", ".-"))
show(string.match("abc", ".-$"))
show(string.match("abc", "(.-)c"))
show(string.match("aaa", "a-b"))
show(string.match("one,two,,four", "([^,]*),([^,]*),([^,]*),([^,]*)"))
show(string.match("[[long]]", "%[%[(.*)%]%]"))
show(string.match("f(a, b)", "(%w+)%((.*)%)"))
show(string.match("hex: 0xFF", "0x(%x+)"))
show(string.match("CamelCaseString", "%u%l+", 6))
show(string.match("path/to/file.txt", "([^/]+)$"))
show(string.match("path/to/file.txt", "(.+)/"))
show(string.match("path/to/file.txt", "%.(%w+)$"))
show(string.match("no extension", "%.(%w+)$"))
show(string.match("user@example.com", "^([%w%.]+)@([%w%.]+)$"))
show(string.match("\0\1\2", "%c+"))
show(string.match(42, "%d"))
show(string.match(3.75, "(%d)%.(%d+)"))
show(("method form"):match("(%a+) (%a+)"))
for _, line in ipairs({"x = 1", "  y=22  ", "bad line", "z =333"}) do
  show(line:match("^%s*(%a+)%s*=%s*(%d+)%s*$"))
end
