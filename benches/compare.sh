#!/usr/bin/env bash
# Compare moonpool against the reference interpreter on benches/lua/*.lua.
#
# Usage: benches/compare.sh [--no-build] [-n RUNS] [--lua PATH] [--bin PATH] [NAME...]
#   --no-build   do not run `cargo build --release --bin moonpool` first
#   -n, --runs   runs per program and interpreter; the best time is kept (default 3,
#                or $RUNS)
#   --lua PATH   reference interpreter (default: lua5.4, or $LUA)
#   --bin PATH   moonpool binary (default: target/release/moonpool)
#   --timeout S  per-run time limit in seconds (default 300, needs `timeout`)
#   NAME...      only run these benchmarks (file names with or without .lua)
#
# For every program both interpreters must print the same stdout; otherwise the
# row says MISMATCH. If moonpool exits non-zero (or times out) the row says FAIL.
# Such rows are excluded from the geometric mean of the ratios (moonpool/lua).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

build=1
runs="${RUNS:-3}"
lua="${LUA:-lua5.4}"
bin="$root/target/release/moonpool"
limit=300
only=()

while [[ $# -gt 0 ]]; do
    case "$1" in
        --no-build) build=0 ;;
        -n|--runs) runs="$2"; shift ;;
        --runs=*) runs="${1#*=}" ;;
        --lua) lua="$2"; shift ;;
        --bin) bin="$2"; shift ;;
        --timeout) limit="$2"; shift ;;
        -h|--help) sed -n '2,16p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
        -*) echo "compare.sh: unknown option $1" >&2; exit 2 ;;
        *) only+=("${1%.lua}") ;;
    esac
    shift
done

if ! [[ "$runs" =~ ^[1-9][0-9]*$ ]]; then
    echo "compare.sh: --runs must be a positive integer" >&2
    exit 2
fi
command -v "$lua" >/dev/null 2>&1 || { echo "compare.sh: reference interpreter '$lua' not found" >&2; exit 2; }

if [[ $build -eq 1 ]]; then
    echo "building: cargo build --release --bin moonpool" >&2
    cargo build --release --bin moonpool >&2
fi

have_timeout=0
command -v timeout >/dev/null 2>&1 && have_timeout=1

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

now() { date +%s.%N; }

# run_best INTERP FILE TAG -> prints best seconds; exit status of the last failing
# run is returned (non-zero means failure; stdout of the first run is kept in
# $tmp/TAG.out, stderr of the failing run in $tmp/TAG.err).
run_best() {
    local interp="$1" file="$2" tag="$3" best="" i t0 t1 dt status
    for ((i = 1; i <= runs; i++)); do
        status=0
        t0="$(now)"
        if [[ $have_timeout -eq 1 ]]; then
            timeout "$limit" "$interp" "$file" >"$tmp/$tag.cur" 2>"$tmp/$tag.err" </dev/null || status=$?
        else
            "$interp" "$file" >"$tmp/$tag.cur" 2>"$tmp/$tag.err" </dev/null || status=$?
        fi
        t1="$(now)"
        if [[ $status -ne 0 ]]; then
            echo "-"
            return "$status"
        fi
        [[ $i -eq 1 ]] && cp "$tmp/$tag.cur" "$tmp/$tag.out"
        dt="$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')"
        if [[ -z "$best" ]] || awk -v x="$dt" -v y="$best" 'BEGIN { exit !(x < y) }'; then
            best="$dt"
        fi
    done
    echo "$best"
}

files=()
for f in benches/lua/*.lua; do
    name="$(basename "$f" .lua)"
    if [[ ${#only[@]} -gt 0 ]]; then
        keep=0
        for o in "${only[@]}"; do [[ "$o" == "$name" ]] && keep=1; done
        [[ $keep -eq 1 ]] || continue
    fi
    files+=("$f")
done
if [[ ${#files[@]} -eq 0 ]]; then
    echo "compare.sh: no benchmarks selected" >&2
    exit 2
fi

if [[ ! -x "$bin" ]]; then
    echo "compare.sh: warning: $bin is not an executable; every row will FAIL" >&2
fi

printf '%-20s %12s %12s %8s  %s\n' "program" "lua5.4(s)" "moonpool(s)" "ratio" "note"
printf '%-20s %12s %12s %8s  %s\n' "-------" "---------" "-----------" "-----" "----"

log_sum=0
counted=0
excluded=()
for f in "${files[@]}"; do
    name="$(basename "$f" .lua)"
    note=""
    lua_status=0
    lua_t="$(run_best "$lua" "$f" lua)" || lua_status=$?
    mp_status=0
    mp_t="$(run_best "$bin" "$f" mp)" || mp_status=$?
    ratio="-"
    if [[ $lua_status -ne 0 ]]; then
        note="reference failed (exit $lua_status): $(head -n 1 "$tmp/lua.err")"
        excluded+=("$name")
    elif [[ $mp_status -ne 0 ]]; then
        if [[ $mp_status -eq 124 && $have_timeout -eq 1 ]]; then
            note="FAIL (timeout after ${limit}s)"
        else
            note="FAIL (exit $mp_status): $(head -n 1 "$tmp/mp.err")"
        fi
        excluded+=("$name")
    elif ! cmp -s "$tmp/lua.out" "$tmp/mp.out"; then
        note="MISMATCH: lua5.4 printed '$(head -c 60 "$tmp/lua.out" | tr '\n\t' '  ')' but moonpool printed '$(head -c 60 "$tmp/mp.out" | tr '\n\t' '  ')'"
        excluded+=("$name")
        ratio="$(awk -v m="$mp_t" -v l="$lua_t" 'BEGIN { printf "%.2f", (l > 0 ? m / l : 0) }')"
    else
        ratio="$(awk -v m="$mp_t" -v l="$lua_t" 'BEGIN { if (l <= 0) l = 0.001; if (m <= 0) m = 0.001; printf "%.2f", m / l }')"
        log_sum="$(awk -v s="$log_sum" -v m="$mp_t" -v l="$lua_t" 'BEGIN { if (l <= 0) l = 0.001; if (m <= 0) m = 0.001; printf "%.12f", s + log(m / l) }')"
        counted=$((counted + 1))
    fi
    printf '%-20s %12s %12s %8s  %s\n' "$name" "$lua_t" "$mp_t" "$ratio" "$note"
done

echo
if [[ $counted -gt 0 ]]; then
    geo="$(awk -v s="$log_sum" -v n="$counted" 'BEGIN { printf "%.2f", exp(s / n) }')"
    echo "geometric mean of ratios (moonpool/lua5.4, best of $runs): $geo over $counted program(s)"
else
    echo "geometric mean of ratios: n/a (no program ran successfully on both interpreters)"
fi
if [[ ${#excluded[@]} -gt 0 ]]; then
    echo "excluded from the geometric mean (FAIL/MISMATCH): ${excluded[*]}"
fi
