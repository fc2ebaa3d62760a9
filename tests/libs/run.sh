#!/usr/bin/env bash
# run.sh: run third-party pure-Lua libraries' own test suites under one
# interpreter and print "name passed/total" per suite plus a total line.
#
# Why: comparing these counts (and the per-test logs) between lua5.4 and
# Moonpool finds behavioural differences that real code trips over.
#
# usage: LUA_LIBS=/tmp/libs LUA=lua5.4 tests/libs/run.sh [suite...]
#   LUA_LIBS  folder holding one extracted checkout per library (by repo name)
#   LUA       interpreter (default: target/release/moonpool)
#   OUT       where per-suite logs go (default: $LUA_LIBS/out-<basename LUA>)
#   SUITE_TIMEOUT  seconds per process (default 300)
# Libraries missing from LUA_LIBS are skipped. The checkouts are third-party
# code and stay outside this repo. Compare two runs with: diff -r OUT1 OUT2
# Folder names are the GitHub repo names (owner in brackets where it matters):
# luassert say lustache [Olivine-Labs], Penlight luacheck [lunarmodules],
# argparse [mpeterv], argparse-luarocks [luarocks/argparse], and inspect.lua
# middleclass semver.lua i18n.lua md5.lua tween.lua bump.lua router.lua,
# date binaryheap.lua, 30log Moses Jumper, serpent, dkjson, json.lua lume
# RxLua, binser, plc, pure_lua_SHA, LuLPeg, tl, utf8.lua, lua_cliargs,
# vstruct, SLAXML, lua-tinyyaml, knife, lunajson, luafun, Fennel, luaunit.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
LUA_LIBS=${LUA_LIBS:-/tmp/libs}
LUA=${LUA:-$root/target/release/moonpool}
LUA=$(command -v "$LUA" || true)
[ -x "$LUA" ] || { echo "run.sh: no interpreter (LUA=$LUA)" >&2; exit 2; }
OUT=${OUT:-$LUA_LIBS/out-$(basename "$LUA")}
SUITE_TIMEOUT=${SUITE_TIMEOUT:-300}
BUSTED="$here/busted_lite.lua"
mkdir -p "$OUT"
export LUA_LIBS

# Some suites spawn `lua` themselves (argparse): point that name at $LUA.
bindir=$(mktemp -d)
trap 'rm -rf "$bindir"' EXIT
ln -s "$LUA" "$bindir/lua"
export PATH="$bindir:$PATH"
# Penlight is needed by luassert's specs; the lfs shim lets pl.path load.
pl_path="$LUA_LIBS/Penlight/lua/?.lua;$LUA_LIBS/Penlight/lua/?/init.lua"
shim_path="$here/shims/?.lua"

only=("$@")
total_pass=0 total_all=0

# want NAME DIR: run suite NAME if its checkout exists and it was asked for.
want() {
  [ -d "$LUA_LIBS/$2" ] || return 1
  [ ${#only[@]} -eq 0 ] || [[ " ${only[*]} " == *" $1 "* ]]
}

# report NAME PASSED TOTAL: one result line, and add it to the totals.
report() {
  printf '%-16s %s/%s\n' "$1" "$2" "$3"
  total_pass=$((total_pass + $2)); total_all=$((total_all + $3))
}

# run_in DIR LPATH CMD...: run in DIR with LPATH on package.path, under the
# timeout; prints the exit status on failure so logs show crashes.
run_in() {
  local dir=$1 lp=$2; shift 2
  (cd "$LUA_LIBS/$dir" && LUA_PATH="$lp;$shim_path;;" \
     timeout "$SUITE_TIMEOUT" "$LUA" "$@") || { echo "exit status $?"; return 1; }
}

# busted NAME DIR LPATH [--telescope] FILES...: each spec file runs in its
# own process (as busted insulates files), so one crash costs one file.
busted() {
  local name=$1 dir=$2 lp=$3 opt="" pass=0 n=0 f r ok bad; shift 3
  [ "${1:-}" = --telescope ] && { opt=$1; shift; }
  local log="$OUT/$name.log"; : >"$log"
  for f in "$@"; do
    r=$(run_in "$dir" "$lp" "$BUSTED" -v $opt "$f" 2>&1 | tee -a "$log" |
        grep -a '^RESULT ' | tail -1 || true)
    if [ -z "$r" ]; then
      echo "CRASH  $f" >>"$log"; n=$((n + 1))   # count the file as one failure
    else
      read -r _ ok bad _ <<<"$r"; pass=$((pass + ok)); n=$((n + ok + bad))
    fi
  done
  report "$name" "$pass" "$n"
}

# scripts NAME DIR LPATH FILES...: each script is a test that passes when it
# exits with status 0. An entry may carry arguments ("jsontest.lua dkjson").
scripts() {
  local name=$1 dir=$2 lp=$3 pass=0 n=0 f; shift 3
  local log="$OUT/$name.log"; : >"$log"
  for f in "$@"; do
    n=$((n + 1)); echo "=== $f" >>"$log"
    # shellcheck disable=SC2086  # split "script arg" entries on purpose
    if run_in "$dir" "$lp" $f >>"$log" 2>&1; then
      pass=$((pass + 1)); echo "=== ok $f" >>"$log"
    else
      echo "=== FAIL $f" >>"$log"
    fi
  done
  report "$name" "$pass" "$n"
}

# counted NAME DIR LPATH AWK CMD...: a suite with its own runner; AWK reads
# the log and prints "passed total".
counted() {
  local name=$1 dir=$2 lp=$3 prog=$4; shift 4
  local log="$OUT/$name.log"
  run_in "$dir" "$lp" "$@" >"$log" 2>&1 || true
  report "$name" $(awk "$prog" "$log")
}

specs() { (cd "$LUA_LIBS/$1" && find "${@:2}" -name '*_spec.lua' | sort); }
# files DIR 'GLOB': the glob is expanded inside DIR.
files() { (cd "$LUA_LIBS/$1" && shopt -s nullglob && for f in $2; do echo "$f"; done); }

src="./src/?.lua;./src/?/init.lua"
want inspect.lua inspect.lua && busted inspect.lua inspect.lua "./?.lua" $(specs inspect.lua spec)
want middleclass middleclass && busted middleclass middleclass "./?.lua" $(specs middleclass spec)
want lustache lustache       && busted lustache lustache "$src" $(specs lustache spec)
want argparse argparse       && busted argparse argparse "$src" $(specs argparse spec)
want argparse-lr argparse-luarocks && busted argparse-lr argparse-luarocks "$src" $(specs argparse-luarocks spec)
want date date               && busted date date "$src" $(specs date spec)
want semver semver.lua       && busted semver semver.lua "./?.lua" $(specs semver.lua spec)
want i18n i18n.lua           && busted i18n i18n.lua "./?.lua;./?/init.lua" $(specs i18n.lua spec)
want say say                 && busted say say "$src" $(specs say spec)
want luassert luassert       && busted luassert luassert "$pl_path" $(specs luassert spec)
want 30log 30log             && busted 30log 30log "./?.lua" --telescope $(files 30log 'specs/*.lua')
want Jumper Jumper           && busted Jumper Jumper "./?.lua" --telescope $(files Jumper 'specs/*.lua')
want Moses Moses             && busted Moses Moses "./?.lua" $(specs Moses spec)
want binser binser           && busted binser binser "./?.lua" $(specs binser spec)
want md5 md5.lua             && busted md5 md5.lua "./?.lua" $(specs md5.lua spec)
want tween tween.lua         && busted tween tween.lua "./?.lua" $(specs tween.lua spec)
want bump bump.lua           && busted bump bump.lua "./?.lua" $(specs bump.lua spec)
want binaryheap binaryheap.lua && busted binaryheap binaryheap.lua "$src" $(specs binaryheap.lua spec)
want tinyyaml lua-tinyyaml   && busted tinyyaml lua-tinyyaml "./?.lua" $(specs lua-tinyyaml spec)
want cliargs lua_cliargs     && busted cliargs lua_cliargs "src/?.lua;src/cliargs/?.lua;spec/?.lua" $(specs lua_cliargs spec)
# luacheck and tl spawn their own CLIs in some specs; they need the newer argparse.
want luacheck luacheck       && busted luacheck luacheck "$src;$LUA_LIBS/argparse-luarocks/src/?.lua" $(specs luacheck spec)
# tl's spec/cli needs lfs.chdir, which the shim cannot do: run the rest.
want tl tl                   && busted tl tl "./?.lua;./?/init.lua;$LUA_LIBS/argparse-luarocks/src/?.lua" $(specs tl spec/lang spec/api spec/docs)
want Penlight-spec Penlight  && busted Penlight-spec Penlight "$pl_path" $(specs Penlight spec)
want Penlight-tests Penlight && scripts Penlight-tests Penlight "$pl_path" $(files Penlight 'tests/*.lua')
want serpent serpent         && scripts serpent serpent "$src" t/test.lua
want dkjson dkjson           && scripts dkjson dkjson "./?.lua" "jsontest.lua dkjson" "jsontest.lua dkjson-nopeg"
want plc plc                 && scripts plc plc "./?.lua" test_all.lua $(files plc 'test/test_*.lua')
want sha2 pure_lua_SHA       && scripts sha2 pure_lua_SHA "./?.lua" "$here/prefix.lua sha2_test.lua BENCHMARK"
want utf8 utf8.lua           && scripts utf8 utf8.lua "./?.lua" $(files utf8.lua 'test/*.lua' | grep -v -e strict -e util)
want vstruct vstruct         && counted vstruct vstruct "" \
  '/Total:/{t+=$2} /Failed:/{f+=$2} END{print t-f, t+0}' test.lua
want json.lua json.lua       && counted json.lua json.lua/test "" \
  '/^\[pass\]/{p++} /^\[fail\]/{f++} END{print p+0, p+f}' test.lua
want lume lume               && counted lume lume/test "" \
  '/PASS/{p++} /FAIL/{f++} END{print p+0, p+f}' test.lua
want SLAXML SLAXML           && counted SLAXML SLAXML/test "" \
  '/tests passed/{split($1, a, "/"); print a[1], a[2]; ok=1} END{if(!ok) print 0, 0}' test.lua
want LuLPeg LuLPeg           && counted LuLPeg LuLPeg "./?.lua" \
  '/Success:/{print $3, $3+$5; ok=1} END{if(!ok) print 0, 0}' tests/lpeg.0.12.test.lua lulpeg
want luafun luafun/tests     && rm -f "$LUA_LIBS"/luafun/tests/*.new && counted luafun luafun/tests "" \
  '/^Testing /{n++} /^   [^ ]+\.lua$/{f++} END{print n-f, n+0}' runtest $(files luafun/tests '*.lua')
want RxLua RxLua             && counted RxLua RxLua "./?.lua" \
  '/ passed/{gsub(/\033\[[0-9]*m/, ""); for(i=1;i<NF;i++){if($(i+1) ~ /^passed/) p=$i; if($(i+1) ~ /^failed/) f=$i}} END{print p+0, p+f}' \
  tests/runner.lua
want lunajson lunajson       && counted lunajson lunajson "./src/?.lua;./util/?.lua" \
  '/^    [^ ].*: /{n++; if(/: ok$/) p++} END{print p+0, n+0}' test/test.lua
want knife knife             && scripts knife knife "./?.lua" "knife/test.lua $(files knife 'spec/*' | tr '\n' ' ')"
want router router.lua       && busted router router.lua "./?.lua" $(specs router.lua spec)
# Fennel: runs only where its generated fennel.lua and test/faith.lua are
# already in the checkout (they are not in its repository).
want Fennel Fennel           && [ -f "$LUA_LIBS/Fennel/test/faith.lua" ] && counted Fennel Fennel "?.lua" \
  '/ passed, /{print $1, $1+$3+$5; ok=1} END{if(!ok) print 0, 0}' test/init.lua
want luaunit luaunit         && counted luaunit luaunit "" \
  '/^Ran [0-9]+ tests/{n=$2; for(i=1;i<=NF;i++) if($i ~ /^success/) s=$(i-1)} END{print s+0, n+0}' \
  run_unit_tests.lua -v

printf '%-16s %s/%s\n' TOTAL "$total_pass" "$total_all"
