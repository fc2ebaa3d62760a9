-- Pattern functions inside coroutines; yields across gsub callbacks are not allowed.
local co = coroutine.wrap(function()
  for w in string.gmatch("a b c", "%a") do coroutine.yield(w) end
  return "done"
end)
print(co(), co(), co(), co())
local co2 = coroutine.create(function()
  return string.gsub("abc", ".", function(c) coroutine.yield(c) return c end)
end)
print(coroutine.resume(co2))
print(coroutine.status(co2))
local co3 = coroutine.wrap(function(s)
  local out = {}
  for k, v in s:gmatch("(%w+)=(%w+)") do
    out[#out + 1] = k
    s = coroutine.yield(k .. ":" .. v) or s
  end
  return table.concat(out, ",")
end)
print(co3("a=1 b=2 c=3"))
print(co3())
print(co3())
print(co3())
local gen = coroutine.wrap(function()
  local s = string.rep("xy", 5)
  local count = select(2, s:gsub("x", function() return "z" end))
  coroutine.yield(count)
  coroutine.yield((s:gsub("y", "w")))
end)
print(gen(), gen())
