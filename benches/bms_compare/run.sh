#!/usr/bin/env bash
# Builds bms_compare and runs Moonpool and bevy_mod_scripting on both workloads at 1,000 and
# 10,000 entities, one process per run, then prints a Markdown table.
#
# Environment (all optional):
#   CARGO_TARGET_DIR   build directory (default /tmp/bms-target)
#   BUILD_CMD          the build command (default: nice -n 19 cargo build --release -j1)
#   FRAMES, WARMUP     timed and warm-up frames per run (default 1000, 100)
#   BMS_FRAMES_10000   timed frames for bms at 10,000 entities (default: FRAMES; its frames
#                      take hundreds of ms there, so 1000 frames is a run of about 10 minutes.
#                      bms's frame time and memory grow with the run's length: compare like
#                      with like)
#   COUNTS             entity counts (default "1000 10000")
#   WORKLOADS          (default "reflect trivial")
#   SKIP_BUILD=1       use the binary already built
set -euo pipefail
cd "$(dirname "$0")"

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/tmp/bms-target}"
BUILD_CMD="${BUILD_CMD:-nice -n 19 cargo build --release -j1}"
FRAMES="${FRAMES:-1000}"
WARMUP="${WARMUP:-100}"
BMS_FRAMES_10000="${BMS_FRAMES_10000:-$FRAMES}"
COUNTS="${COUNTS:-1000 10000}"
WORKLOADS="${WORKLOADS:-reflect trivial}"
BIN="$CARGO_TARGET_DIR/release/bms_compare"

if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
    echo "building: $BUILD_CMD (CARGO_TARGET_DIR=$CARGO_TARGET_DIR)" >&2
    $BUILD_CMD >&2
fi

results="$(mktemp)"
trap 'rm -f "$results"' EXIT

for workload in $WORKLOADS; do
    for n in $COUNTS; do
        for engine in moonpool bms; do
            frames="$FRAMES"
            if [[ "$engine" == bms && "$n" -ge 10000 ]]; then
                frames="$BMS_FRAMES_10000"
            fi
            echo "running: $BIN --engine $engine --workload $workload --entities $n --frames $frames --warmup $WARMUP" >&2
            line="$("$BIN" --engine "$engine" --workload "$workload" --entities "$n" \
                --frames "$frames" --warmup "$WARMUP")"
            echo "  $line" >&2
            echo "$line" >>"$results"
        done
    done
done

# key=value lines -> table: one row per workload/entities.
awk '
function val(line, key,   i, n, kv, parts) {
    n = split(line, parts, " ")
    for (i = 1; i <= n; i++) { split(parts[i], kv, "="); if (kv[1] == key) return kv[2] }
    return ""
}
{
    k = val($0, "workload") "/" val($0, "entities"); e = val($0, "engine")
    if (!(k in seen)) { seen[k] = 1; order[++rows] = k }
    med[k, e] = val($0, "median_ms"); worst[k, e] = val($0, "worst_ms")
    load[k, e] = val($0, "load_ms"); peak[k, e] = val($0, "peak_rss_mb"); fr[k, e] = val($0, "frames")
}
END {
    print "| workload/entities | Moonpool median ms | worst ms | load ms | peak MB | bms median ms | worst ms | load ms | peak MB | median speedup |"
    print "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    for (r = 1; r <= rows; r++) {
        k = order[r]
        sp = (med[k, "moonpool"] > 0) ? sprintf("%.1fx", med[k, "bms"] / med[k, "moonpool"]) : "-"
        printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", k,
            med[k, "moonpool"], worst[k, "moonpool"], load[k, "moonpool"], peak[k, "moonpool"],
            med[k, "bms"], worst[k, "bms"], load[k, "bms"], peak[k, "bms"], sp
    }
    printf "\nTimed frames per run: "
    for (r = 1; r <= rows; r++) printf "%s%s: Moonpool %s, bms %s", (r > 1 ? "; " : ""), order[r], fr[order[r], "moonpool"], fr[order[r], "bms"]
    print ""
}' "$results"
