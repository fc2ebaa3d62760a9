-- collectgarbage inside a finalizer: every option fails (nil) and changes nothing; a bad option
-- is still an error.
setmetatable({}, {__gc = function()
  print("collect", collectgarbage())
  print("count", collectgarbage("count"))
  print("step", collectgarbage("step"))
  print("isrunning", collectgarbage("isrunning"))
  print("incremental", collectgarbage("incremental"))
  print("stop", collectgarbage("stop"))
  print("bad", pcall(collectgarbage, "bogus"))
end})
collectgarbage()
print("after", collectgarbage("isrunning"))
