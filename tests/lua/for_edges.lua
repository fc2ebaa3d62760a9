-- Integer for-loop edge cases: no overflow, no infinite loops.
local maxi, mini = math.maxinteger, math.mininteger
local function run(a, b, c)
  local out, n = {}, 0
  for i = a, b, c do
    n = n + 1
    if n <= 5 then out[#out + 1] = tostring(i) end
    if n > 100 then out[#out + 1] = "RUNAWAY"; break end
  end
  return n .. " [" .. table.concat(out, " ") .. "]"
end
print(run(maxi - 2, maxi, 1))
print(run(maxi - 2, maxi, 2))
print(run(maxi - 2, maxi, 10))
print(run(maxi, maxi, 1))
print(run(mini + 2, mini, -1))
print(run(mini, mini, -1))
print(run(mini + 2, mini, -5))
print(run(maxi - 1, maxi, maxi))
print(run(mini, maxi, maxi))
print(run(maxi, mini, mini))
print(run(0, maxi, maxi // 2))
print(run(mini, maxi, 2^62 | 0))
print(run(1, 0, 1))
print(run(0, 1, -1))
print(run(maxi, maxi - 1, 1))
print(run(mini, mini + 1, -1))
-- float limits with integer loops are clipped correctly
print(run(maxi - 1, 1e100, 1))
print(run(mini + 1, -1e100, -1))
print(run(1, 3.7, 1))
print(run(1, -math.huge, 1))
print(run(-1, -3.5, -1))
print(run(3, 0.5, -1))
print(run(1, 0/0, 1))
print(run(1, math.huge, maxi))
print(run(0, 2^63, maxi))
print(run(0, -2^63, mini))
-- float loops near large values
print(run(2^53, 2^53 + 4, 2))
print(run(1.0, 3.0, 1))
print(run(0.0, -1.0, -0.5))
-- step larger than the range
print(run(1, 5, 100))
print(run(5, 1, -100))
-- iteration count for a long loop is exact
local c = 0
for i = -50000, 50000 do c = c + 1 end
print(c)
c = 0
for i = 100000, -100000, -7 do c = c + 1 end
print(c)
