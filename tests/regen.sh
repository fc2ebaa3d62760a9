#!/usr/bin/env bash
# Regenerate tests/lua/*.expected from the reference interpreter (PUC Lua 5.4).
#
# Format of NAME.expected:
#   the exact stdout bytes of `lua5.4 NAME.lua` (run with cwd = tests/lua);
#   then, only when the exit status is non-zero, a final section:
#     --- exit N
#     <first line of stderr, with a leading "lua5.4: " (the interpreter's
#      argv[0]) removed>
#
# Usage: tests/regen.sh [substring-filter]
#   LUA=/path/to/lua  overrides the reference interpreter (default: lua5.4).
#
# A test whose first line is `-- reference: PUC Lua 5.4.8` checks a rule that changed after
# Debian's lua5.4 (5.4.4): it is regenerated with LUA548 (PUC Lua 5.4.8 built as lua.org's
# makefile builds it; tests/build-puc-lua.sh makes one), and skipped with a warning without it.
set -euo pipefail

LUA="${LUA:-lua5.4}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
dir="$here/lua"
filter="${1:-}"

command -v "$LUA" >/dev/null 2>&1 || { echo "regen.sh: '$LUA' not found" >&2; exit 1; }

cd "$dir"
tmp_out="$(mktemp)"
tmp_err="$(mktemp)"
trap 'rm -f "$tmp_out" "$tmp_err"' EXIT

count=0
failing=0
for f in *.lua; do
    name="${f%.lua}"
    if [[ -n "$filter" && "$name" != *"$filter"* ]]; then
        continue
    fi
    ref="$LUA"
    if head -n 1 "$f" | grep -q '^-- reference: PUC Lua 5.4.8'; then
        if [[ -z "${LUA548:-}" ]]; then
            echo "regen.sh: skipping $f (needs LUA548, see tests/build-puc-lua.sh)" >&2
            continue
        fi
        ref="$LUA548"
    fi
    status=0
    "$ref" "$f" >"$tmp_out" 2>"$tmp_err" </dev/null || status=$?
    {
        cat "$tmp_out"
        if [[ $status -ne 0 ]]; then
            printf -- '--- exit %d\n' "$status"
            first="$(head -n 1 "$tmp_err" || true)"
            # lua.c prefixes messages with its argv[0] ("lua5.4: ").
            printf '%s\n' "${first#"$ref": }"
        fi
    } >"$name.expected"
    count=$((count + 1))
    if [[ $status -ne 0 ]]; then
        failing=$((failing + 1))
    fi
done

echo "regen: wrote $count .expected files ($failing with non-zero exit status)" >&2
