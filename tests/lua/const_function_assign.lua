-- Declaring a function into a `<const>` or `<close>` local is an assignment, refused at compile
-- time; the error's line is the token after `end`.
local function try(src)
  local f, err = load(src, "=chunk")
  print(f ~= nil, err)
end
try("local x <const> = 1; function x() end")
try("local x <const> = 1\nfunction x()\nend\nprint(1)")
try("local x <const> = 1\nfunction x()\nend")
try("local y <close> = nil\nfunction y() end\n")
try("local x <const> = 1\nlocal function f()\n  function x() end\nend\n")
try("local t <const> = {}\nfunction t.f() end\nfunction t:m() end\nreturn t")
try("local x = 1\nfunction x() end")
try("local x <const> = 1\ndo local x = 2 function x() end end")
