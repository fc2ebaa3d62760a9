-- Limit errors name the function and the token where Lua's one-pass compiler stops.
local function locals(n, extra)
  local t = {}
  for i = 1, n do t[i] = "a" .. i end
  return "local " .. table.concat(t, ", ") .. (extra or "")
end
print(load(locals(200)) ~= nil)
print(select(2, load(locals(201))))
print(select(2, load(locals(201, " = 1"))))
print(select(2, load("\nfunction foo ()\n  " .. locals(201) .. "\nend")))
print(select(2, load("local function f()\n" .. locals(196) .. "\nfor i = 1, 2 do end end")))
print(select(2, load("local function f()\n" .. locals(197) .. "\nfor i = 1, 2 do end end")))
print(select(2, load("local function f()\n" .. locals(195) .. "\nfor k, v in pairs({}) do end end")))
print(select(2, load("local function f()\n" .. locals(196) .. "\nfor k, v in pairs({}) do end end")))
print(select(2, load("local function f(" .. table.concat({"a", "b"}, ",") .. ")\n" .. locals(198) .. "\nlocal z end")))
-- locals of finished blocks do not count
print(load("do " .. locals(150) .. " end do " .. locals(150) .. " end") ~= nil)
-- the main chunk's message, and one past a long function's start
print(select(2, load(locals(150) .. "\n" .. locals(51))))
