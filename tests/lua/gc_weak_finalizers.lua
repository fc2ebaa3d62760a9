-- Weak tables, ephemerons, finalizer order and resurrection, with explicit collections only.
-- incremental correctness: build structures while the collector runs
local keep = {}
for i = 1, 20000 do
  local t = {i, tostring(i), {i * 2}}
  keep[#keep + 1] = t
  if i % 3 == 0 then keep[#keep] = nil end
  local f = function() return t[1] end
  t.f = f
end
local s = 0
for _, t in ipairs(keep) do s = s + t[1] + #t[2] + t[3][1] + t.f() end
print(s)
local co = coroutine.wrap(function()
  local acc = {}
  for i = 1, 5000 do acc[i] = {i}; if i % 100 == 0 then coroutine.yield(#acc) end end
  local x = 0 for i = 1, #acc do x = x + acc[i][1] end
  return x
end)
local r repeat r = co() until r > 5000 or r == nil
print(r)
local up
do local v = {} ; up = function(x) if x then v = x end return v end end
for i = 1, 3000 do up({i}); local junk = {} end
print(up()[1])
local w = setmetatable({}, {__mode = "k"})
local keys = {}
for i = 1, 100 do local k = {} ; w[k] = {k, i}; if i % 2 == 0 then keys[#keys+1] = k end end
collectgarbage(); collectgarbage()
local n = 0 for k, v in pairs(w) do n = n + 1; assert(v[1] == k) end
print("ephemeron entries", n)
local fins = {}
for i = 1, 5 do setmetatable({}, {__gc = function() fins[#fins + 1] = i end}) end
collectgarbage()
print(table.concat(fins, ","))
-- resurrection
local saved
do local o = setmetatable({name = "zombie"}, {__gc = function(o) saved = o end}) end
collectgarbage()
print(saved and saved.name)
saved = nil
collectgarbage()
print(collectgarbage("count") > 0)
-- weak values: strings stay, collectable values go
local wv = setmetatable({}, {__mode = "v"})
local k1 = {}
wv[1] = {}; wv[2] = "str"; wv.x = k1
collectgarbage()
print(wv[1], wv[2], wv.x == k1)
-- all-weak table
local aw = setmetatable({}, {__mode = "kv"})
aw[{}] = 1; aw[1] = {}; aw.s = "kept"
collectgarbage()
local cnt = 0 for _ in pairs(aw) do cnt = cnt + 1 end
print("all-weak entries", cnt)
-- a finalizer that is not a function is skipped (with a warning on stderr)
setmetatable({}, {__gc = 42})
-- __gc added after setmetatable does not register the object
local mt = {}
local late = setmetatable({}, mt)
mt.__gc = function() print("never") end
late = nil
collectgarbage()
-- re-registering inside a finalizer
local again = 0
do
  local function fin(o) again = again + 1; if again < 3 then setmetatable(o, {__gc = fin}) end end
  setmetatable({}, {__gc = fin})
end
collectgarbage(); collectgarbage(); collectgarbage(); collectgarbage()
print("finalized", again)
-- option values
print(collectgarbage("isrunning"), collectgarbage("stop"), collectgarbage("isrunning"), collectgarbage("restart"))
print(collectgarbage("incremental"), collectgarbage("generational"), collectgarbage("incremental"))
print(collectgarbage("setpause", 150), collectgarbage("setstepmul", 200), collectgarbage("setpause"), collectgarbage("setstepmul"))
print(math.type(collectgarbage("count")), collectgarbage("collect"))
print(pcall(collectgarbage, "nope"))
-- finalizers of reachable objects run when the state closes
GLOBAL_OBJ = setmetatable({}, {__gc = function() print("closed at exit") end})
