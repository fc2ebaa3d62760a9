-- collectgarbage: the options with defined results, and invalid options.
print(collectgarbage())
print(collectgarbage("collect"))
local kb = collectgarbage("count")
print(type(kb), math.type(kb), kb > 0)
print(type(collectgarbage("step")))
print(type(collectgarbage("step", 10)))
print(pcall(collectgarbage, "bogus"))
print(pcall(collectgarbage, 1))
print(type(collectgarbage("count", "x")))
print(pcall(collectgarbage, {}))
-- memory is reclaimed: counts stay bounded after releasing garbage
local before = collectgarbage("count")
do
  local t = {}
  for i = 1, 20000 do t[i] = { i } end
end
collectgarbage()
collectgarbage()
print(collectgarbage("count") < before + 1000)
