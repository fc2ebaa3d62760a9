#!/usr/bin/env bash
# Compile-only (parse + code generation) throughput: moonpool -p vs luac5.4 -p.
#
# Usage: benches/compile_speed.sh [--no-build] [--bin PATH] [--luac PATH]
#                                 [--size MB] [-n RUNS] [--keep FILE]
#   --no-build   do not run `cargo build --release --bin moonpool` first
#   --bin PATH   moonpool binary (default: target/release/moonpool)
#   --luac PATH  reference compiler (default: luac5.4, or $LUAC)
#   --size MB    approximate size of the generated source (default 10)
#   -n, --runs   timed runs per compiler (default 10); best and mean are shown
#   --keep FILE  also copy the generated source to FILE
#
# A deterministic generator (a Lua script run by lua5.4) writes one large Lua
# file of realistic code: modules of functions with locals, numeric/generic for,
# while/repeat loops, if/elseif chains, table constructors, string literals
# (with escapes and long brackets), integer/float/hex arithmetic, method calls,
# closures with upvalues, varargs, comments and goto. Both compilers must accept
# it; then each is timed on `-p FILE` (hyperfine if installed, else best-of-N
# with date) and MB/s plus the ratio moonpool_time / luac_time are printed.
#
# Requirements: lua5.4 and luac5.4 (on Debian/Ubuntu both come from the
# package `lua5.4`: `apt-get install lua5.4`), optional hyperfine and jq.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

build=1
runs=10
size_mb=10
luac="${LUAC:-luac5.4}"
lua="${LUA:-lua5.4}"
bin="$root/target/release/moonpool"
keep=""

while [[ $# -gt 0 ]]; do
    case "$1" in
        --no-build) build=0 ;;
        --bin) bin="$2"; shift ;;
        --luac) luac="$2"; shift ;;
        --size) size_mb="$2"; shift ;;
        -n|--runs) runs="$2"; shift ;;
        --keep) keep="$2"; shift ;;
        -h|--help) sed -n '2,22p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "compile_speed.sh: unknown argument $1" >&2; exit 2 ;;
    esac
    shift
done

if ! [[ "$runs" =~ ^[1-9][0-9]*$ ]]; then
    echo "compile_speed.sh: --runs must be a positive integer" >&2; exit 2
fi
if ! [[ "$size_mb" =~ ^[0-9]+(\.[0-9]+)?$ ]]; then
    echo "compile_speed.sh: --size must be a number of MB" >&2; exit 2
fi
for tool in "$luac" "$lua"; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "compile_speed.sh: '$tool' not found (Debian/Ubuntu: apt-get install lua5.4)" >&2
        exit 2
    fi
done

if [[ $build -eq 1 ]]; then
    echo "building: cargo build --release --bin moonpool" >&2
    cargo build --release --bin moonpool >&2
fi
if [[ ! -x "$bin" ]]; then
    echo "compile_speed.sh: $bin is not an executable" >&2; exit 2
fi

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
src="$tmp/big.lua"

# ---------------------------------------------------------------------------
# Generator (deterministic: own LCG, no math.random, no time/os input).
cat >"$tmp/gen.lua" <<'GEN'
local target = math.floor(tonumber(arg[1]) * 1024 * 1024)
local out = {}
local written = 0
local function emit(s) out[#out + 1] = s; written = written + #s end
local function flush(fh) fh:write(table.concat(out)); out = {} end

local seed = 20240601
local function rnd(n)
  seed = (seed * 1103515245 + 12345) % 2147483648
  return (seed >> 8) % n + 1
end
local function pick(t) return t[rnd(#t)] end

local names = { "count", "total", "index", "value", "result", "item", "node",
  "width", "height", "offset", "buffer", "line", "key", "entry", "score",
  "limit", "step", "acc", "tmp", "cursor", "depth", "ratio", "name", "flag" }
local fields = { "x", "y", "z", "size", "name", "kind", "next", "prev", "data",
  "children", "parent", "id", "weight", "label", "color", "visible" }
local methods = { "update", "push", "pop", "get", "set", "resize", "draw",
  "insert", "remove", "find", "clear", "merge", "visit", "emit" }
local words = { "hello", "world", "error: unexpected token", "ok", "path/to/file.lua",
  "The quick brown fox", "%d items", "key=value", "\\n", "tab\\there",
  "quote \\\"inside\\\"", "unicode \\u{48}\\u{49}", "\\65\\066\\x43", "" }
local ops = { "+", "-", "*", "//", "%", "+", "-", "*" }
local fops = { "+", "-", "*", "/" }
local cmps = { "<", "<=", ">", ">=", "==", "~=" }

local function num()
  local k = rnd(6)
  if k == 1 then return tostring(rnd(100)) end
  if k == 2 then return tostring(rnd(100000)) end
  if k == 3 then return string.format("%.3f", rnd(10000) / 7) end
  if k == 4 then return string.format("0x%X", rnd(65535)) end
  if k == 5 then return string.format("%de%d", rnd(9), rnd(5)) end
  return tostring(rnd(10))
end
local function str()
  local k = rnd(10)
  if k == 1 then return "[[" .. pick(words) .. " long " .. rnd(999) .. "]]" end
  if k == 2 then return "'" .. pick(words) .. "'" end
  return '"' .. pick(words) .. " " .. rnd(9999) .. '"'
end

-- expression over the locals in scope (vars is a list of numeric locals)
local function expr(vars, depth)
  depth = depth or 0
  local k = rnd(depth > 2 and 3 or 8)
  if k == 1 then return pick(vars) end
  if k == 2 then return num() end
  if k == 3 then return pick(vars) .. " " .. pick(ops) .. " " .. num() end
  if k == 4 then return "(" .. expr(vars, depth + 1) .. " " .. pick(ops) .. " " .. expr(vars, depth + 1) .. ")" end
  if k == 5 then return expr(vars, depth + 1) .. " " .. pick(fops) .. " (" .. pick(vars) .. " + 1)" end
  if k == 6 then return "math.floor(" .. expr(vars, depth + 1) .. ")" end
  if k == 7 then return "#tostring(" .. pick(vars) .. ")" end
  return "(" .. pick(vars) .. " & 0xFF) | (" .. rnd(4096) .. " << 2)"
end
local function cond(vars)
  local c = pick(vars) .. " " .. pick(cmps) .. " " .. expr(vars, 2)
  if rnd(3) == 1 then c = c .. (rnd(2) == 1 and " and " or " or ") .. "not " .. pick(vars) end
  return c
end

local function tablector(vars, depth)
  local parts = {}
  for i = 1, rnd(6) do
    local k = rnd(depth > 1 and 3 or 5)
    if k == 1 then parts[#parts + 1] = expr(vars, 1)
    elseif k == 2 then parts[#parts + 1] = pick(fields) .. " = " .. expr(vars, 1)
    elseif k == 3 then parts[#parts + 1] = "[ " .. str() .. " ] = " .. str()
    elseif k == 4 then parts[#parts + 1] = pick(fields) .. " = " .. tablector(vars, depth + 1)
    else parts[#parts + 1] = "function(a, b) return a " .. pick(ops) .. " b end" end
  end
  local sep = rnd(2) == 1 and ", " or "; "
  return "{ " .. table.concat(parts, sep) .. (rnd(3) == 1 and sep or "") .. " }"
end

local function block(vars, indent, depth, nstmts)
  local pad = string.rep("  ", indent)
  local nlocal = 0
  for s = 1, nstmts do
    local k = rnd(depth > 2 and 8 or 16)
    if k <= 2 and nlocal < 6 then
      local v = pick(names) .. (#vars + 1)
      emit(pad .. "local " .. v .. " = " .. expr(vars) .. "\n")
      vars[#vars + 1] = v; nlocal = nlocal + 1
    elseif k == 3 then
      emit(pad .. pick(vars) .. " = " .. expr(vars) .. "\n")
    elseif k == 4 then
      emit(pad .. "self." .. pick(fields) .. " = " .. expr(vars) .. "\n")
    elseif k == 5 then
      emit(pad .. "self:" .. pick(methods) .. "(" .. expr(vars, 1) .. ", " .. str() .. ")\n")
    elseif k == 6 then
      emit(pad .. "local t" .. (#vars + 1) .. " = " .. tablector(vars, 0) .. "\n")
    elseif k == 7 then
      emit(pad .. "out[#out + 1] = string.format(\"%s: %d\", " .. str() .. ", " .. pick(vars) .. ")\n")
    elseif k == 8 then
      emit(pad .. "-- " .. pick(words) .. " (" .. rnd(1000) .. ")\n")
    elseif k == 9 then
      local i = "i" .. depth
      emit(pad .. "for " .. i .. " = 1, " .. expr(vars, 2) .. (rnd(3) == 1 and ", 2" or "") .. " do\n")
      local inner = { table.unpack(vars) }; inner[#inner + 1] = i
      block(inner, indent + 1, depth + 1, rnd(4))
      emit(pad .. "end\n")
    elseif k == 10 then
      emit(pad .. "for k, v in pairs(self." .. pick(fields) .. " or {}) do\n")
      emit(pad .. "  if type(v) == \"number\" then " .. pick(vars) .. " = " .. pick(vars) .. " + v end\n")
      emit(pad .. "  self:" .. pick(methods) .. "(k, v)\n")
      emit(pad .. "end\n")
    elseif k == 11 then
      emit(pad .. "if " .. cond(vars) .. " then\n")
      block({ table.unpack(vars) }, indent + 1, depth + 1, rnd(3))
      for _ = 1, rnd(3) - 1 do
        emit(pad .. "elseif " .. cond(vars) .. " then\n")
        block({ table.unpack(vars) }, indent + 1, depth + 1, rnd(2))
      end
      if rnd(2) == 1 then
        emit(pad .. "else\n")
        block({ table.unpack(vars) }, indent + 1, depth + 1, rnd(2))
      end
      emit(pad .. "end\n")
    elseif k == 12 then
      emit(pad .. "while " .. cond(vars) .. " do\n")
      block({ table.unpack(vars) }, indent + 1, depth + 1, rnd(3))
      emit(pad .. "  if " .. cond(vars) .. " then break end\n")
      emit(pad .. "end\n")
    elseif k == 13 then
      emit(pad .. "repeat\n")
      local inner = { table.unpack(vars) }
      block(inner, indent + 1, depth + 1, rnd(3))
      emit(pad .. "until " .. cond(inner) .. "\n")
    elseif k == 14 then
      local f = "cb" .. (#vars + 1)
      emit(pad .. "local " .. f .. " = function(a, ...)\n")
      emit(pad .. "  local n = select(\"#\", ...)\n")
      emit(pad .. "  " .. pick(vars) .. " = " .. pick(vars) .. " + a + n\n")
      emit(pad .. "  return a * " .. num() .. ", ...\n")
      emit(pad .. "end\n")
      emit(pad .. pick(vars) .. " = " .. f .. "(" .. expr(vars, 1) .. ", " .. str() .. ")\n")
    elseif k == 15 then
      emit(pad .. "local s" .. (#vars + 1) .. " = " .. str() .. " .. " .. pick(vars) .. " .. " .. str() .. "\n")
    else
      emit(pad .. "do\n")
      emit(pad .. "  local ok, err = pcall(self." .. pick(methods) .. ", self, " .. expr(vars, 1) .. ")\n")
      emit(pad .. "  if not ok then goto skip" .. depth .. s .. " end\n")
      emit(pad .. "  " .. pick(vars) .. " = " .. pick(vars) .. " + 1\n")
      emit(pad .. "  ::skip" .. depth .. s .. "::\n")
      emit(pad .. "end\n")
    end
  end
end

local fh = assert(io.open(arg[2], "w"))
emit("-- generated by benches/compile_speed.sh; do not edit\n")
emit("local out = {}\nlocal modules = {}\n")
local m = 0
while written < target do
  m = m + 1
  emit("\ndo\n  local M = {}\n  M.__index = M\n")
  emit("  local counter" .. m .. " = 0\n")
  for f = 1, 20 do
    local params = { "a", "b", "c" }
    emit("\n  --[[ " .. pick(words) .. " ]]\n")
    emit("  function M:" .. pick(methods) .. m .. "_" .. f .. "(a, b, c)\n")
    local vars = { "a", "b", "c", "counter" .. m }
    block(vars, 2, 0, 8 + rnd(12))
    emit("    counter" .. m .. " = counter" .. m .. " + 1\n")
    emit("    return " .. pick(vars) .. ", " .. str() .. "\n")
    emit("  end\n")
  end
  emit("  function M.new(o)\n    return setmetatable(o or {}, M)\n  end\n")
  emit("  modules[" .. m .. "] = M\nend\n")
  if #out > 4096 then flush(fh) end
end
emit("\nreturn modules, out\n")
flush(fh)
fh:close()
GEN

"$lua" "$tmp/gen.lua" "$size_mb" "$src"
bytes="$(wc -c <"$src")"
mb="$(awk -v b="$bytes" 'BEGIN { printf "%.2f", b / 1048576 }')"
lines="$(wc -l <"$src")"
[[ -n "$keep" ]] && cp "$src" "$keep"
echo "generated $src: $mb MB, $lines lines"

# Both compilers must accept the file.
if ! "$luac" -p "$src" 2>"$tmp/luac.err"; then
    echo "compile_speed.sh: $luac rejected the generated file (generator bug):" >&2
    cat "$tmp/luac.err" >&2; exit 1
fi
if ! "$bin" -p "$src" 2>"$tmp/mp.err"; then
    echo "compile_speed.sh: moonpool -p FAILED on a file luac accepts:" >&2
    head -n 5 "$tmp/mp.err" >&2
    [[ -n "$keep" ]] || echo "(rerun with --keep FILE to inspect the source)" >&2
    exit 1
fi

best=()
mean=()
if command -v hyperfine >/dev/null 2>&1 && command -v jq >/dev/null 2>&1; then
    hyperfine -N --warmup 1 --runs "$runs" --export-json "$tmp/hf.json" \
        -n "luac5.4 -p" "$luac -p $src" \
        -n "moonpool -p" "$bin -p $src" >&2
    for i in 0 1; do
        best+=("$(jq -r ".results[$i].min" "$tmp/hf.json")")
        mean+=("$(jq -r ".results[$i].mean" "$tmp/hf.json")")
    done
else
    now() { date +%s.%N; }
    for cmd in "$luac" "$bin"; do
        b="" sum=0
        for ((i = 1; i <= runs; i++)); do
            t0="$(now)"; "$cmd" -p "$src"; t1="$(now)"
            dt="$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.6f", b - a }')"
            sum="$(awk -v s="$sum" -v d="$dt" 'BEGIN { printf "%.6f", s + d }')"
            if [[ -z "$b" ]] || awk -v x="$dt" -v y="$b" 'BEGIN { exit !(x < y) }'; then b="$dt"; fi
        done
        best+=("$b")
        mean+=("$(awk -v s="$sum" -v n="$runs" 'BEGIN { printf "%.6f", s / n }')")
    done
fi

echo
printf '%-14s %10s %10s %10s %10s\n' "compiler" "best(s)" "mean(s)" "MB/s(best)" "MB/s(mean)"
names=("luac5.4 -p" "moonpool -p")
for i in 0 1; do
    awk -v n="${names[$i]}" -v b="${best[$i]}" -v m="${mean[$i]}" -v mb="$mb" \
        'BEGIN { printf "%-14s %10.3f %10.3f %10.1f %10.1f\n", n, b, m, mb / b, mb / m }'
done
awk -v l="${best[0]}" -v m="${best[1]}" -v lm="${mean[0]}" -v mm="${mean[1]}" \
    'BEGIN { printf "\nratio moonpool/luac5.4 (time, lower is better): %.2f (best), %.2f (mean)\n", m / l, mm / lm }'
