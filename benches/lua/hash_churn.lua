-- Hash churn: many string and integer keys inserted and removed (set to nil),
-- tables created and dropped, rehash growth/shrink, next()/pairs over holes.
local h = 0
local function mix(n) h = (h * 31 + n) % 1000000007 end

local R = 8
local N = 40000
for r = 1, R do
  local t = {}
  -- insert string keys built on the fly (new strings every round)
  for i = 1, N do t["k" .. (i * 7 + r)] = i end
  -- remove every other one, then re-add with different keys
  for i = 1, N, 2 do t["k" .. (i * 7 + r)] = nil end
  for i = 1, N // 2 do t["n" .. i .. "_" .. r] = i * 2 end
  local cnt, sum = 0, 0
  for _, v in pairs(t) do cnt = cnt + 1; sum = sum + v end
  mix(cnt + sum)

  -- integer keys: sparse, negative, and shifting window of live keys
  local ints = {}
  for i = 1, N do ints[i * 31 - 500000] = i end
  for i = 1, N do
    ints[i * 31 - 500000] = nil
    ints[i * 37 + 1000000] = i
  end
  cnt = 0
  for k, v in pairs(ints) do cnt = cnt + 1; sum = sum + (k % 1000) + v end
  mix(cnt + sum)

  -- sliding window: keep only the last W keys alive
  local win, W = {}, 256
  for i = 1, N * 2 do
    win[i] = i
    if i > W then win[i - W] = nil end
  end
  cnt = 0
  for _ in pairs(win) do cnt = cnt + 1 end
  mix(cnt)

  -- many short-lived small tables with mixed keys
  local acc = 0
  for i = 1, N do
    local o = { id = i, name = "obj", [i] = true, [-i] = false }
    o.extra = i % 3
    o.name = nil
    acc = acc + o.id + o.extra + (o[i] and 1 or 0)
  end
  mix(acc)

  -- clear via next() while removing
  local c = {}
  for i = 1, 5000 do c["x" .. i] = i; c[i * 3] = i end
  local removed = 0
  local k = next(c)
  while k ~= nil do
    c[k] = nil
    removed = removed + 1
    k = next(c)
  end
  mix(removed + (next(c) == nil and 1 or 0))

  -- modify values (allowed) while traversing; delete current key (allowed)
  local m = {}
  for i = 1, 10000 do m["m" .. i] = i end
  for key, v in pairs(m) do
    if v % 2 == 0 then m[key] = nil else m[key] = v * 2 end
  end
  cnt, sum = 0, 0
  for _, v in pairs(m) do cnt = cnt + 1; sum = sum + v end
  mix(cnt * 7 + sum)
end
print("R", R, "N", N, "hash", h)
collectgarbage()
print("done")
