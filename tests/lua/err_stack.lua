-- Stack overflow is catchable; deep (non-tail) recursion works.
local function contains(s, pat)
  for i = 1, #s - #pat + 1 do
    if s:sub(i, i + #pat - 1) == pat then return true end
  end
  return false
end
local function infinite(n) return 1 + infinite(n + 1) end
local ok, msg = pcall(infinite, 1)
print(ok, type(msg), contains(msg, "stack overflow"))
-- the program continues normally afterwards
local function depth(n) if n == 0 then return 0 end return 1 + depth(n - 1) end
print(depth(10000))
-- infinite recursion through a metamethod
local mt = {}
mt.__index = function(t, k) return t[k .. "x"] end
local looped = setmetatable({}, mt)
ok, msg = pcall(function() return looped.a end)
print(ok, type(msg))
-- stack overflow in a coroutine
local co = coroutine.create(function() return infinite(1) end)
local cok, cmsg = coroutine.resume(co)
print(cok, type(cmsg), contains(cmsg, "stack overflow"), coroutine.status(co))
-- recursion with many locals per frame
local function heavy(n)
  local a, b, c, d, e, f, g, h = n, n + 1, n + 2, n + 3, n + 4, n + 5, n + 6, n + 7
  if n == 0 then return a + b + c + d + e + f + g + h end
  return heavy(n - 1) + 1
end
print(heavy(5000))
-- deep recursion building a list
local function build(n) if n == 0 then return nil end return { v = n, next = build(n - 1) } end
local list = build(10000)
local len = 0
while list do len = len + 1; list = list.next end
print(len)
-- error thrown from deep inside the recursion is caught with the right message
local function deep_err(n) if n == 0 then error("bottom reached", 0) end return (deep_err(n - 1)) end
print(pcall(deep_err, 5000))
-- after overflow, another pcall works and a big recursion still succeeds
ok, msg = pcall(infinite, 1)
print(ok, contains(msg, "stack overflow"), depth(50000))
