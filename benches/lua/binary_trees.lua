-- Binary trees: allocation of many small tables, recursion, GC pressure.
local function bottom_up(depth)
  if depth == 0 then return {} end
  depth = depth - 1
  return { bottom_up(depth), bottom_up(depth) }
end

local function check(tree)
  if tree[1] then
    return 1 + check(tree[1]) + check(tree[2])
  end
  return 1
end

local N = 15
local min_depth = 4
local max_depth = math.max(min_depth + 2, N)

local stretch = max_depth + 1
print(string.format("stretch tree of depth %d\t check: %d", stretch, check(bottom_up(stretch))))

local long_lived = bottom_up(max_depth)

for depth = min_depth, max_depth, 2 do
  local iters = 1 << (max_depth - depth + min_depth)
  local sum = 0
  for _ = 1, iters do
    sum = sum + check(bottom_up(depth))
  end
  print(string.format("%d\t trees of depth %d\t check: %d", iters, depth, sum))
end

print(string.format("long lived tree of depth %d\t check: %d", max_depth, check(long_lived)))
