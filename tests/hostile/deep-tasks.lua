-- Five hundred tasks that each wait at the bottom of a deep recursion (large register files).
function on_spawn(self)
  for i = 1, 500 do
    task.spawn(function()
      local function r(n) if n == 0 then wait(1e9) return 0 end return r(n - 1) + 1 end
      r(9000)
    end)
  end
end
