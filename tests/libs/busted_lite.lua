-- busted_lite.lua: a small busted-compatible spec runner.
--
-- Why: busted needs C modules (lfs, term, system), so it cannot run on
-- Moonpool. This runner implements the subset of busted that third-party
-- spec files use, on top of the real (pure Lua) luassert + say, so the same
-- specs can run unchanged under lua5.4 and Moonpool and be compared.
--
-- usage: <lua> busted_lite.lua [--lpath=P] [--telescope] [-v] spec.lua...
--   LUA_LIBS (env) names the folder holding luassert/ and say/ checkouts.
--   --lpath      prepended to package.path (busted's default: ./src/...)
--   --telescope  also define telescope's API (test/before/after/assert_*)
--   -v           print one line per test (ok/FAIL/PEND), for diffing runs
-- Last line printed: "RESULT <passed> <failed> <pending>".

local LIBS = os.getenv("LUA_LIBS") or "/tmp/libs"
local verbose, telescope, files = false, false, {}
local lpath = "./src/?.lua;./src/?/?.lua;./src/?/init.lua"

for _, a in ipairs(arg) do
  if a == "-v" then verbose = true
  elseif a == "--telescope" then telescope = true
  elseif a:match("^%-%-lpath=") then lpath = a:match("=(.*)")
  else files[#files + 1] = a end
end
package.path = lpath .. ";" .. package.path

-- Map `luassert.*` and `say` onto the checkouts' src/ folders (the rockspecs
-- install them under those names; we do it with a searcher instead).
local function search_libs(name)
  local rel
  if name == "say" then rel = "say/src/init.lua"
  elseif name == "luassert" then rel = "luassert/src/init.lua"
  elseif name:match("^luassert%.") then
    local sub = name:sub(10):gsub("%.", "/")
    rel = "luassert/src/" .. sub .. ".lua"
    local f = io.open(LIBS .. "/" .. rel)
    if f then f:close() else rel = "luassert/src/" .. sub .. "/init.lua" end
  else
    return nil
  end
  local path = LIBS .. "/" .. rel
  local chunk, err = loadfile(path)
  if not chunk then return "\n\t" .. tostring(err) end
  return chunk, path
end
table.insert(package.searchers, 2, search_libs)

-- Specs sometimes `require 'luacov'` (coverage): make it a no-op.
package.preload.luacov = function() return {} end

local luassert = require("luassert")
local say = require("say")

-- Spec tree ---------------------------------------------------------------

local function new_block(name, parent, fn, kind)
  return { name = name, parent = parent, fn = fn, kind = kind or "describe",
           children = {}, before_each = {}, after_each = {},
           lazy_setup = {}, lazy_teardown = {},
           strict_setup = {}, strict_teardown = {} }
end

local root = new_block(nil, nil, nil)
local current = root          -- block whose body is being executed
local in_test = nil           -- finally-list of the running test, if any
local passed, failed, pending = 0, 0, 0

local function fullname(node)
  local parts = {}
  while node do
    if node.name then table.insert(parts, 1, tostring(node.name)) end
    node = node.parent
  end
  return table.concat(parts, " ")
end

local function errmsg(e)
  if type(e) == "table" and e.message ~= nil then e = e.message end
  local ok, s = pcall(tostring, e)
  return ok and s or ("<" .. type(e) .. " error>")
end

local function report(status, node, msg)
  if status == "ok" then passed = passed + 1
  elseif status == "PEND" then pending = pending + 1
  else failed = failed + 1 end
  if verbose or status == "FAIL" then
    print(status .. "  " .. fullname(node))
    if status == "FAIL" and msg then
      print("      " .. msg:gsub("\n", "\n      "))
    end
  end
end

-- Run fn with a traceback handler; returns nil on success, message on error.
local function try(fn, ...)
  local ok, e = xpcall(fn, function(e)
    return debug.traceback(errmsg(e), 2)
  end, ...)
  if not ok then return e end
end

-- Drop the traceback: the message (with its position) is enough to compare.
local function shorten(e)
  return (e:gsub("\nstack traceback:.*", ""))
end

local function add_child(kind, name, fn)
  local child = new_block(name, current, fn, kind)
  table.insert(current.children, child)
  return child
end

local function has_tests(block)
  for _, c in ipairs(block.children) do
    if c.kind == "it" then return true end
    if c.kind ~= "pending" and has_tests(c) then return true end
  end
  return false
end

local run_block

local function run_test(t)
  local snap = luassert:snapshot()   -- reverts spies/stubs made by the test
  local chain = {}
  local b = t.parent
  while b do table.insert(chain, 1, b); b = b.parent end
  local err
  for _, blk in ipairs(chain) do
    for _, h in ipairs(blk.before_each) do
      err = err or try(h)
    end
  end
  local finals = {}
  in_test = finals
  if not err then err = try(t.fn) end
  in_test = nil
  for _, f in ipairs(finals) do err = err or try(f) end
  for i = #chain, 1, -1 do
    for _, h in ipairs(chain[i].after_each) do
      err = err or try(h)
    end
  end
  snap:revert()
  report(err and "FAIL" or "ok", t, err and shorten(err))
end

-- Make t hold exactly the entries of saved (used by insulate). New keys are
-- collected first and removed after the traversal.
local function restore(t, saved)
  local extra = {}
  for k in pairs(t) do
    if saved[k] == nil then extra[#extra + 1] = k end
  end
  for _, k in ipairs(extra) do t[k] = nil end
  for k, v in pairs(saved) do t[k] = v end
end

-- Run a describe block: execute its body (which registers children), then
-- run setup hooks, the children in order, and teardown hooks.
function run_block(block)
  local snap = luassert:snapshot()
  local saved_G, saved_loaded
  if block.kind == "insulate" then
    saved_G, saved_loaded = {}, {}
    for k, v in pairs(_G) do saved_G[k] = v end
    for k, v in pairs(package.loaded) do saved_loaded[k] = v end
  end
  local prev = current
  current = block
  local err = block.fn and try(block.fn)
  current = prev
  if err then
    report("FAIL", block, "error in describe: " .. shorten(err))
  else
    local lazy = has_tests(block)
    for _, h in ipairs(block.strict_setup) do err = err or try(h) end
    if lazy then
      for _, h in ipairs(block.lazy_setup) do err = err or try(h) end
    end
    if err then
      report("FAIL", block, "error in setup: " .. shorten(err))
    else
      for _, c in ipairs(block.children) do
        if c.kind == "it" then run_test(c)
        elseif c.kind == "pending" then report("PEND", c)
        else run_block(c) end
      end
    end
    local terr
    if lazy then
      for _, h in ipairs(block.lazy_teardown) do terr = terr or try(h) end
    end
    for _, h in ipairs(block.strict_teardown) do terr = terr or try(h) end
    if terr then report("FAIL", block, "error in teardown: " .. shorten(terr)) end
  end
  snap:revert()
  if saved_G then
    -- Reported, not fatal: a VM bug here should not hide the other results.
    local ok, e = pcall(function()
      restore(_G, saved_G)
      restore(package.loaded, saved_loaded)
    end)
    if not ok then report("FAIL", block, "error restoring globals: " .. errmsg(e)) end
  end
end

-- Public busted API -------------------------------------------------------

local api = {}
function api.describe(name, fn) add_child("describe", name, fn) end
function api.insulate(name, fn)
  if type(name) == "function" then name, fn = nil, name end
  add_child("insulate", name, fn)
end
function api.expose(name, fn) add_child("describe", name, fn) end
function api.it(name, fn)
  if fn == nil then add_child("pending", name) else add_child("it", name, fn) end
end
function api.pending(name) add_child("pending", name) end
local function hook(list)
  return function(fn) table.insert(current[list], fn) end
end
api.before_each = hook("before_each")
api.after_each = hook("after_each")
api.lazy_setup = hook("lazy_setup")
api.lazy_teardown = hook("lazy_teardown")
api.strict_setup = hook("strict_setup")
api.strict_teardown = hook("strict_teardown")
api.setup = api.strict_setup        -- busted 2 aliases
api.teardown = api.strict_teardown
api.context = api.describe
api.spec = api.it
api.test = api.it
function api.finally(fn)
  if not in_test then error("finally() called outside a test", 2) end
  table.insert(in_test, fn)
end
function api.randomize() end
api.assert = luassert
api.spy = require("luassert.spy")
api.stub = require("luassert.stub")
api.mock = require("luassert.mock")
api.match = require("luassert.match")

for k, v in pairs(api) do _G[k] = v end
package.preload.busted = function() return api end

-- telescope (used by 30log's specs): before/after and assert_* functions.
if telescope then
  _G.before, _G.after = api.before_each, api.after_each
  local checks = {
    equal = function(a, b) return a == b end,
    error = function(f) return not pcall(f) end,
    ["false"] = function(a) return a == false end,
    ["true"] = function(a) return a == true end,
    ["nil"] = function(a) return a == nil end,
    type = function(a, t) return type(a) == t end,
    match = function(p, s) return tostring(s):match(p) ~= nil end,
    gt = function(a, b) return a > b end,
    gte = function(a, b) return a >= b end,
    lt = function(a, b) return a < b end,
    lte = function(a, b) return a <= b end,
    blank = function(a) return a == nil or a == "" end,
    empty = function(t) return next(t) == nil end,
  }
  for name, check in pairs(checks) do
    local function fail(neg, ...)
      local args = table.pack(...)
      for i = 1, args.n do args[i] = tostring(args[i]) end
      error(("assert_%s%s failed: %s"):format(neg, name,
        table.concat(args, ", ", 1, args.n)), 3)
    end
    _G["assert_" .. name] = function(...)
      if not check(...) then fail("", ...) end
    end
    _G["assert_not_" .. name] = function(...)
      if check(...) then fail("not_", ...) end
    end
  end
end

-- Each file is its own insulated block, as in busted.
for _, file in ipairs(files) do
  local chunk, err = loadfile(file)
  if not chunk then
    report("FAIL", { name = file }, "cannot load: " .. tostring(err))
  else
    table.insert(root.children, new_block(file, nil, chunk, "insulate"))
  end
end
for _, b in ipairs(root.children) do b.parent = nil; run_block(b) end

io.stdout:write(("RESULT %d %d %d\n"):format(passed, failed, pending))
io.stdout:flush()
os.exit(failed == 0 and 0 or 1)
