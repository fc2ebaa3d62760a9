-- A tiny stack-machine interpreter and an expression evaluator.
local function tokenize(src)
  local toks, i = {}, 1
  while i <= #src do
    local c = src:sub(i, i)
    if c == " " or c == "\n" then
      i = i + 1
    elseif c:byte() >= 48 and c:byte() <= 57 then
      local j = i
      while j <= #src and src:byte(j) >= 48 and src:byte(j) <= 57 do j = j + 1 end
      toks[#toks + 1] = { kind = "num", value = tonumber(src:sub(i, j - 1)) }
      i = j
    elseif (c:byte() >= 97 and c:byte() <= 122) then
      local j = i
      while j <= #src and src:byte(j) >= 97 and src:byte(j) <= 122 do j = j + 1 end
      toks[#toks + 1] = { kind = "name", value = src:sub(i, j - 1) }
      i = j
    else
      toks[#toks + 1] = { kind = "op", value = c }
      i = i + 1
    end
  end
  return toks
end
-- recursive-descent parser producing stack code
local function compile(src)
  local toks, pos, code = tokenize(src), 1, {}
  local function emit(op, arg) code[#code + 1] = { op, arg } end
  local function peek() return toks[pos] end
  local expr
  local function atom()
    local t = toks[pos]; pos = pos + 1
    if t.kind == "num" then emit("push", t.value)
    elseif t.kind == "name" then emit("load", t.value)
    elseif t.value == "(" then expr(); pos = pos + 1
    elseif t.value == "-" then atom(); emit("neg")
    else error("unexpected token " .. tostring(t.value)) end
  end
  local function term()
    atom()
    while peek() and (peek().value == "*" or peek().value == "/" or peek().value == "%") do
      local op = peek().value; pos = pos + 1
      atom()
      emit(op)
    end
  end
  function expr()
    term()
    while peek() and (peek().value == "+" or peek().value == "-") do
      local op = peek().value; pos = pos + 1
      term()
      emit(op)
    end
  end
  expr()
  return code
end
local function run(code, env)
  local stack, sp = {}, 0
  for pc = 1, #code do
    local op, arg = code[pc][1], code[pc][2]
    if op == "push" then sp = sp + 1; stack[sp] = arg
    elseif op == "load" then
      local v = env[arg]
      if v == nil then error("undefined variable " .. arg, 0) end
      sp = sp + 1; stack[sp] = v
    elseif op == "neg" then stack[sp] = -stack[sp]
    else
      local b = stack[sp]; sp = sp - 1
      local a = stack[sp]
      if op == "+" then a = a + b
      elseif op == "-" then a = a - b
      elseif op == "*" then a = a * b
      elseif op == "/" then a = a // b
      elseif op == "%" then a = a % b end
      stack[sp] = a
    end
  end
  return stack[sp]
end
local function listing(code)
  local parts = {}
  for i, ins in ipairs(code) do parts[i] = ins[1] .. (ins[2] ~= nil and (" " .. ins[2]) or "") end
  return table.concat(parts, "; ")
end
local programs = {
  "1 + 2 * 3",
  "(1 + 2) * 3",
  "100 / 7 % 5",
  "-x + y * (z - 1)",
  "((((1))))",
  "2 * 3 * 4 - 5 - 6",
  "a * a + b * b",
}
local env = { x = 5, y = 6, z = 7, a = 3, b = 4 }
for _, src in ipairs(programs) do
  local code = compile(src)
  print(src, "=>", run(code, env))
  print("  " .. listing(code))
end
print(pcall(run, compile("q + 1"), env))
print(pcall(compile, "1 + )"))
-- a traffic-light state machine driven by a table of transitions
local machine = {
  green = { timer = "yellow", emergency = "red" },
  yellow = { timer = "red", emergency = "red" },
  red = { timer = "green", emergency = "red", reset = "green" },
}
local state = "green"
local trace = { state }
for _, ev in ipairs({ "timer", "timer", "timer", "emergency", "bogus", "reset", "timer" }) do
  local nxt = machine[state][ev]
  if nxt then state = nxt else trace[#trace + 1] = "(ignored " .. ev .. ")" end
  trace[#trace + 1] = state
end
print(table.concat(trace, " -> "))
-- a brainf*ck-style interpreter over a byte tape
local function bf(prog, input)
  local tape, ptr, pc, out, inp = {}, 1, 1, {}, 1
  local jump, stack = {}, {}
  for i = 1, #prog do
    local c = prog:sub(i, i)
    if c == "[" then stack[#stack + 1] = i
    elseif c == "]" then local j = table.remove(stack); jump[i] = j; jump[j] = i end
  end
  while pc <= #prog do
    local c = prog:sub(pc, pc)
    if c == ">" then ptr = ptr + 1
    elseif c == "<" then ptr = ptr - 1
    elseif c == "+" then tape[ptr] = ((tape[ptr] or 0) + 1) % 256
    elseif c == "-" then tape[ptr] = ((tape[ptr] or 0) - 1) % 256
    elseif c == "." then out[#out + 1] = string.char(tape[ptr] or 0)
    elseif c == "," then tape[ptr] = input:byte(inp) or 0; inp = inp + 1
    elseif c == "[" then if (tape[ptr] or 0) == 0 then pc = jump[pc] end
    elseif c == "]" then if (tape[ptr] or 0) ~= 0 then pc = jump[pc] end end
    pc = pc + 1
  end
  return table.concat(out)
end
print(bf("++++++++[>++++[>++>+++>+++>+<<<<-]>+>+>->>+[<]<-]>>.>---.+++++++..+++.>>.<-.<.+++.------.--------.>>+.", ""))
print(bf(",[.,]", "echo"))
