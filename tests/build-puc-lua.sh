#!/usr/bin/env bash
# Build PUC Lua from a checkout of github.com/lua/lua, the way lua.org's release makefile does
# (LUA_COMPAT_5_3 on, no test library, no readline), for the golden tests that need a newer
# reference than Debian's lua5.4 (see tests/regen.sh) and for tests/testes.sh.
#
# Usage: tests/build-puc-lua.sh LUA_CHECKOUT [TAG] [OUT_DIR]
#   TAG defaults to v5.4.8, OUT_DIR to /tmp/puc-lua-TAG; prints the interpreter's path.
set -euo pipefail
src="${1:?usage: tests/build-puc-lua.sh LUA_CHECKOUT [TAG] [OUT_DIR]}"
tag="${2:-v5.4.8}"
out="${3:-/tmp/puc-lua-$tag}"
mkdir -p "$out"
git -C "$src" archive "$tag" | tar -x -C "$out"
make -s -C "$out" MYCFLAGS="-std=c99 -DLUA_USE_LINUX -DLUA_COMPAT_5_3" MYLIBS="-ldl" \
    >/dev/null 2>&1 || make -C "$out" MYCFLAGS="-std=c99 -DLUA_USE_LINUX -DLUA_COMPAT_5_3" MYLIBS="-ldl"
echo "$out/lua"
