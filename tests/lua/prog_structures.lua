-- Data structures: queue, stack, deque, binary trees, linked lists, string builder.
-- queue with head/tail indices
local Queue = {}
Queue.__index = Queue
function Queue.new() return setmetatable({ first = 1, last = 0, items = {} }, Queue) end
function Queue:push(v) self.last = self.last + 1; self.items[self.last] = v end
function Queue:pop()
  if self.first > self.last then return nil end
  local v = self.items[self.first]
  self.items[self.first] = nil
  self.first = self.first + 1
  return v
end
function Queue:size() return self.last - self.first + 1 end
local q = Queue.new()
for i = 1, 5 do q:push(i * i) end
print(q:size(), q:pop(), q:pop(), q:size())
for i = 1, 1000 do q:push(i) end
local s = 0
while q:size() > 0 do s = s + q:pop() end
print("queue sum", s, q:pop())
-- stack
local Stack = {}
Stack.__index = Stack
function Stack.new() return setmetatable({ n = 0 }, Stack) end
function Stack:push(...) for i = 1, select("#", ...) do self.n = self.n + 1; self[self.n] = (select(i, ...)) end end
function Stack:pop() local v = self[self.n]; self[self.n] = nil; self.n = self.n - 1; return v end
function Stack:peek() return self[self.n] end
local st = Stack.new()
st:push(1, 2, 3)
print(st:peek(), st:pop(), st:pop(), st.n)
-- balanced brackets with a stack
local function balanced(str)
  local stk = Stack.new()
  local pairs_ = { [")"] = "(", ["]"] = "[", ["}"] = "{" }
  for i = 1, #str do
    local c = str:sub(i, i)
    if c == "(" or c == "[" or c == "{" then stk:push(c)
    elseif pairs_[c] then
      if stk:pop() ~= pairs_[c] then return false end
    end
  end
  return stk.n == 0
end
print(balanced("([]{()})"), balanced("(]"), balanced("(("), balanced(""), balanced("a(b)c[d]{e}"))
-- binary search tree
local function insert(node, k)
  if not node then return { key = k, count = 1 } end
  if k == node.key then node.count = node.count + 1
  elseif k < node.key then node.left = insert(node.left, k)
  else node.right = insert(node.right, k) end
  return node
end
local function inorder(node, out)
  if node then
    inorder(node.left, out)
    out[#out + 1] = node.key .. (node.count > 1 and ("x" .. node.count) or "")
    inorder(node.right, out)
  end
  return out
end
local function height(node)
  if not node then return 0 end
  local l, r = height(node.left), height(node.right)
  return 1 + (l > r and l or r)
end
local root
for _, k in ipairs({ 50, 30, 70, 20, 40, 60, 80, 30, 65, 20, 20 }) do root = insert(root, k) end
print(table.concat(inorder(root, {}), " "), height(root))
-- binary-trees allocation benchmark style (small depth)
local function make(d)
  if d == 0 then return { false, false } end
  d = d - 1
  return { make(d), make(d) }
end
local function check(t)
  if not t[1] then return 1 end
  return 1 + check(t[1]) + check(t[2])
end
for d = 4, 12, 4 do
  local iters = 1 << (12 - d + 4)
  local total = 0
  for _ = 1, iters do total = total + check(make(d)) end
  print("trees of depth", d, "iterations", iters, "check", total)
end
local long_lived = make(10)
print("long lived check", check(long_lived))
-- linked list with reverse
local list
for i = 1, 10 do list = { value = i, next = list } end
local function tolist(l) local out = {}; while l do out[#out + 1] = l.value; l = l.next end; return table.concat(out, ",") end
print(tolist(list))
local function reverse(l)
  local prev
  while l do l.next, prev, l = prev, l, l.next end
  return prev
end
list = reverse(list)
print(tolist(list))
-- string building: repeated concatenation vs table.concat give the same result
local a = ""
for i = 1, 300 do a = a .. (i % 10) end
local parts = {}
for i = 1, 300 do parts[#parts + 1] = i % 10 end
local b = table.concat(parts)
print(#a, a == b, a:sub(1, 25))
-- string builder object
local SB = {}
SB.__index = SB
function SB.new() return setmetatable({ buf = {} }, SB) end
function SB:add(...) for i = 1, select("#", ...) do self.buf[#self.buf + 1] = tostring((select(i, ...))) end return self end
function SB:line(...) self:add(...); return self:add("\n") end
SB.__tostring = function(self) return table.concat(self.buf) end
local sb = SB.new()
sb:line("header"):add("x=", 1, ", y=", 2.5):line():line("n=", nil, " b=", true)
io_out = tostring(sb)
print(io_out)
-- matrix multiplication
local function matmul(A, B)
  local n, m, p = #A, #B, #B[1]
  local C = {}
  for i = 1, n do
    C[i] = {}
    for j = 1, p do
      local sum = 0
      for k = 1, m do sum = sum + A[i][k] * B[k][j] end
      C[i][j] = sum
    end
  end
  return C
end
local M = { { 1, 2 }, { 3, 4 } }
local R = M
for _ = 1, 10 do R = matmul(R, M) end
print(R[1][1], R[1][2], R[2][1], R[2][2])
