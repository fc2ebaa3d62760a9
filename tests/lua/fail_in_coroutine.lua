-- An error inside a coroutine.wrap propagates to the top level.
local gen = coroutine.wrap(function()
  coroutine.yield(1)
  error("generator exploded")
end)
print(gen())
print(gen())
