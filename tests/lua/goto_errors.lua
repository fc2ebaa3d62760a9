-- goto compile-time errors, checked with load().
local cases = {
  "goto nowhere",
  "do local x = 1 goto l1 local y = 2 ::l1:: print(y) end",
  "goto f; local a; ::f:: print(a)",
  "::dup:: ::dup::",
  "do ::a:: end goto a",
  "for i = 1, 2 do ::b:: end goto b",
  "local function f() goto out end ::out::",
  "repeat goto cont local z = 1 ::cont:: until z",
  "break",
  "if true then break end",
  "::ok:: do goto ok end",
  "do goto e local q ::e:: end",
  "goto 5",
  ":: bad ::",
  "::l1:: do goto l1 ::l1:: end",
  "local function g() ::x:: end ::x::",
}
for i, src in ipairs(cases) do
  local f, err = load(src, "=goto")
  if f then print(i, "compiled OK") else print(i, err) end
end
-- a goto jumping backward into the scope of the same local is fine
local f = load("local n = 0 ::top:: local m = n n = n + 1 if n < 3 then goto top end return n, m")
print(f())
