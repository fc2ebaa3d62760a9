#!/usr/bin/env bash
# Run the official Lua 5.4 test suite (the `testes/` folder of github.com/lua/lua) one file at a
# time, stand-alone, the way its README describes for a build without the test library:
#     lua -e "_port=true _soft=true _nomsg=true" FILE.lua      (from inside testes/)
# and print, per file, "pass" or "FAIL" with the last lines of its output, then "N passed, M failed".
#
# The suite is third-party code and is not in this repository. Get it with
#     git clone https://github.com/lua/lua && git -C lua archive v5.4.8 testes | tar -x -C /tmp/t548
# and pass the folder:
#     LUA_TESTES=/tmp/t548/testes tests/testes.sh            (Moonpool: target/release/moonpool)
#     LUA_TESTES=... LUA=lua5.4 tests/testes.sh              (any other interpreter)
#     LUA_TESTES=... tests/testes.sh calls.lua db.lua        (some files only)
#
# Files that are not stand-alone tests are skipped: all.lua (the driver), bwcoercion.lua and
# tracegc.lua (modules the others load), and heavy.lua (it allocates until memory runs out; all.lua
# does not run it either). The per-file timeout is TESTES_TIMEOUT seconds (300).
set -uo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dir="${LUA_TESTES:-${1:-}}"
if [[ -z "${LUA_TESTES:-}" ]]; then shift || true; fi
if [[ -z "$dir" || ! -f "$dir/all.lua" ]]; then
    echo "testes.sh: set LUA_TESTES to the suite's testes/ folder (see the header)" >&2
    exit 2
fi
lua="${LUA:-$root/target/release/moonpool}"
if [[ "$lua" == "$root/target/release/moonpool" && ! -x "$lua" ]]; then
    (cd "$root" && cargo build --release --quiet --bin moonpool) || exit 2
fi
timeout_s="${TESTES_TIMEOUT:-300}"

files=("$@")
if [[ ${#files[@]} -eq 0 ]]; then
    for f in "$dir"/*.lua; do
        case "$(basename "$f")" in all.lua|bwcoercion.lua|tracegc.lua|heavy.lua) continue ;; esac
        files+=("$(basename "$f")")
    done
fi

passed=0; failed=0; failed_names=()
for f in "${files[@]}"; do
    start=$(date +%s%N)
    out="$(cd "$dir" && timeout "$timeout_s" "$lua" -e "_port=true _soft=true _nomsg=true" "$f" 2>&1)"
    rc=$?
    ms=$(( ($(date +%s%N) - start) / 1000000 ))
    secs="$((ms / 1000)).$(( (ms % 1000) / 100 ))"
    if [[ $rc -eq 0 ]]; then
        passed=$((passed + 1)); printf 'pass  %-16s %6ss\n' "$f" "$secs"
    else
        failed=$((failed + 1)); failed_names+=("$f")
        printf 'FAIL  %-16s %6ss  (exit %d)\n' "$f" "$secs" "$rc"
        printf '%s\n' "$out" | tail -n "${TESTES_TAIL:-3}" | cut -c1-200 | sed 's/^/        /'
    fi
done
echo "$passed passed, $failed failed${failed_names:+ (${failed_names[*]})}"
[[ $failed -eq 0 ]]
