-- lfs.lua: a tiny pure-Lua stand-in for LuaFileSystem.
--
-- Why: Penlight's pl.path (and so pl.test, used by all of Penlight's
-- tests/*.lua) refuses to load without lfs, which is a C module. This shim
-- does the few calls Penlight makes through the shell (stat, ls, mkdir), so
-- those tests run the same way under lua5.4 and Moonpool. It is a test aid
-- only: slow, POSIX-shell based, and not a faithful lfs.

local lfs = {}

local function q(s) return "'" .. tostring(s):gsub("'", "'\\''") .. "'" end

local function sh(cmd)
  local f = io.popen(cmd .. " 2>/dev/null", "r")
  local out = f:read("a")
  f:close()
  return out
end

local kinds = {
  ["regular file"] = "file", ["regular empty file"] = "file",
  directory = "directory", ["symbolic link"] = "link",
}

local function stat(path, req, deref)
  local out = sh("stat " .. (deref and "-L " or "") ..
                 "-c '%F|%s|%X|%Y|%Z' " .. q(path))
  local kind, size, a, m, c = out:match("^([^|]*)|(%d+)|(%d+)|(%d+)|(%d+)")
  if not kind then return nil, path .. ": No such file or directory", 2 end
  local t = { mode = kinds[kind] or "other", size = tonumber(size),
              access = tonumber(a), modification = tonumber(m),
              change = tonumber(c) }
  if type(req) == "string" then return t[req] end
  return t
end

function lfs.attributes(path, req) return stat(path, req, true) end
function lfs.symlinkattributes(path, req) return stat(path, req, false) end

function lfs.currentdir() return (sh("pwd"):gsub("\n$", "")) end

function lfs.dir(path)
  local names = {}
  for name in sh("ls -a " .. q(path)):gmatch("[^\n]+") do
    names[#names + 1] = name
  end
  local i = 0
  return function() i = i + 1; return names[i] end
end

local function run(cmd, path)
  local ok = os.execute(cmd .. " " .. q(path) .. " 2>/dev/null")
  if ok then return true end
  return nil, path .. ": failed", 1
end

function lfs.mkdir(path) return run("mkdir", path) end
function lfs.rmdir(path) return run("rmdir", path) end
function lfs.touch(path, atime, mtime)
  if not atime then return run("touch", path) end
  local ok = run(("touch -a -d @%d"):format(atime), path)
  return ok and run(("touch -m -d @%d"):format(mtime or atime), path)
end
function lfs.chdir() return nil, "chdir not supported by the lfs shim" end
function lfs.link(old, new, symlink)
  return run("ln " .. (symlink and "-s " or "") .. q(old), new)
end

return lfs
