-- Ping-pong resume/yield between the main thread and coroutines.
local N = 3000000
local co = coroutine.create(function(x)
  while true do
    x = coroutine.yield(x * 2 + 1)
  end
end)
local sum = 0
for i = 1, N do
  local _, v = coroutine.resume(co, i)
  sum = sum + v
end
local gen = coroutine.wrap(function()
  for i = 1, N do coroutine.yield(i & 0xFF) end
end)
for _ = 1, N do sum = sum + gen() end
print("checksum", sum)
