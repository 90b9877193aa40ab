#!/usr/bin/env bash
# Peer baselines for Quiver: Annoy and hnswlib measured on this machine (see docs/peers.md).
#
#   bash scripts/datasets.sh && bash scripts/peers.sh
#
# Builds quiver-bench/peers/{annoy,hnswlib}_driver.cpp with g++ -O3 -march=native into
# quiver-bench/peers/build/, runs
#   Annoy   (Euclidean)      10, 50 and 100 trees, search_k sweep
#   hnswlib (L2)             M=16 efC=200, built with 1 and with 2 threads, ef sweep
#   hnswlib (cosine = inner product on the normalised copy) same
# and writes docs/peers-results.csv (lines starting with '#' are metadata: date, CPU, load).
# Driver logs go to quiver-bench/peers/build/peers.log.
#
# The machine may be shared: before each driver run the script waits for idle CPUs, and the
# drivers repeat any build or timed pass during which other processes used more than 0.1 core
# (measured from /proc/stat minus their own getrusage time), see the '# ...' notes in the CSV.
#
# Environment knobs (defaults in brackets):
#   RUNS [3]            timed passes per search setting (qps/p50/p99 are the medians)
#   ANNOY_TREES ["10 50 100"]  ANNOY_SEARCH_K ["-1,500,1000,2000,5000,10000,20000,50000"]
#   ANNOY_WARMUP [2000] queries of warm-up before each search_k (a full pass precedes the first)
#   HNSW_EF ["10,20,40,80,120,200,400"]  HNSW_THREADS ["1,2"]  HNSW_WARMUP [-1 = full pass]
#   OUT [docs/peers-results.csv]  ONLY ["annoy hnswlib hnswlib-cosine"]
#   DRIVER_OPTS [""]    extra driver options, e.g. "--others-max 0.1 --max-attempts 4 --quiet-wait 900"
#   WAIT_QUIET [1]      wait for idle CPUs (< QUIET_PCT [10] % busy, at most QUIET_MAX [1800] s) before each run
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PEERS="$REPO/quiver-bench/peers"
BUILD="$PEERS/build"
DATA="${DATA_DIR:-$REPO/data}"
OUT="${OUT:-$REPO/docs/peers-results.csv}"
RUNS="${RUNS:-3}"
ANNOY_TREES="${ANNOY_TREES:-10 50 100}"
ANNOY_SEARCH_K="${ANNOY_SEARCH_K:--1,500,1000,2000,5000,10000,20000,50000}"
ANNOY_WARMUP="${ANNOY_WARMUP:-2000}"
HNSW_EF="${HNSW_EF:-10,20,40,80,120,200,400}"
HNSW_THREADS="${HNSW_THREADS:-1,2}"
HNSW_WARMUP="${HNSW_WARMUP:--1}"
ONLY="${ONLY:-annoy hnswlib hnswlib-cosine}"
LOG="$BUILD/peers.log"

log() { echo "[peers] $*" >&2; }
fail() { echo "[peers] ERROR: $*" >&2; exit 1; }

ensure() {
    local probe="$1"; shift
    if eval "$probe" >/dev/null 2>&1; then return 0; fi
    log "installing missing Debian package(s): $*"
    if [ "$(id -u)" -ne 0 ]; then
        log "not root: cannot apt-get install $* (install them and re-run)"; return 1
    fi
    if ! DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$@"; then
        log "apt-get install failed, trying apt-get update first"
        apt-get update || true
        DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$@" ||
            { log "apt-get install -y $* failed"; return 1; }
    fi
    eval "$probe" >/dev/null 2>&1
}

ensure "command -v g++" g++ || fail "g++ is required (apt-get install -y g++)"
ensure "dpkg -L r-cran-rcppannoy | grep -q /annoylib.h\$" r-cran-rcppannoy ||
    fail "r-cran-rcppannoy (which ships annoylib.h) is required (apt-get install -y r-cran-rcppannoy)"
ensure "test -f /usr/include/hnswlib/hnswlib.h" libhnswlib-dev ||
    fail "libhnswlib-dev is required (apt-get install -y libhnswlib-dev)"

for d in fashion-mnist fashion-mnist-cosine; do
    for f in base.fvecs queries.fvecs truth.ivecs; do
        [ -f "$DATA/$d/$f" ] || fail "$DATA/$d/$f missing: run bash scripts/datasets.sh first"
    done
done

ANNOY_INC="$(dirname "$(dpkg -L r-cran-rcppannoy | grep '/annoylib.h$' | head -n1)")"
[ -f "$ANNOY_INC/kissrandom.h" ] || fail "kissrandom.h not found next to $ANNOY_INC/annoylib.h"

# ------------------------------------------------------------------ build
mkdir -p "$BUILD"
CXXFLAGS=(-O3 -march=native -std=c++17 -pthread)
log "g++ ${CXXFLAGS[*]} -I$ANNOY_INC annoy_driver.cpp -> $BUILD/annoy_driver"
g++ "${CXXFLAGS[@]}" -w -I"$ANNOY_INC" "$PEERS/annoy_driver.cpp" -o "$BUILD/annoy_driver"
log "g++ ${CXXFLAGS[*]} hnswlib_driver.cpp -> $BUILD/hnswlib_driver"
g++ "${CXXFLAGS[@]}" -w "$PEERS/hnswlib_driver.cpp" -o "$BUILD/hnswlib_driver"

# ------------------------------------------------------------------ load monitoring
# The machine may be shared (other benchmarks on the same cores). Before each driver run we wait
# until the CPUs are idle for a few seconds, and after it we record how much CPU time *other*
# processes used while it ran (total busy time from /proc/stat minus our own children's time).
HZ="$(getconf CLK_TCK)"
QUIET_PCT="${QUIET_PCT:-10}"     # "idle" = all cores together less than this % busy over 5 s
QUIET_MAX="${QUIET_MAX:-1800}"   # give up waiting after this many seconds (and say so in the CSV)
busy_ticks() { awk '/^cpu /{print $2+$3+$4+$7+$8+$9, $2+$3+$4+$5+$6+$7+$8+$9}' /proc/stat; }
busy_pct() {  # busy_pct SECONDS: % of all cores busy over that interval
    local a b c d
    read -r a b < <(busy_ticks); sleep "$1"; read -r c d < <(busy_ticks)
    echo $(((c - a) * 100 / (d - b > 0 ? d - b : 1)))
}
wait_quiet() {
    local waited=0 pct
    while :; do
        pct="$(busy_pct 5)"
        if [ "$pct" -lt "$QUIET_PCT" ]; then QUIET_NOTE="idle before start (${pct}% busy)"; return 0; fi
        if [ "$waited" -ge "$QUIET_MAX" ]; then
            QUIET_NOTE="NOT idle before start (${pct}% busy after waiting ${waited} s)"
            log "machine still busy (${pct}%) after ${waited} s, starting anyway"; return 0
        fi
        [ "$waited" -eq 0 ] && log "machine busy (${pct}% of all cores), waiting for it to become idle..."
        sleep 10; waited=$((waited + 15))
    done
}
TIMES_FILE="$(mktemp)"
child_cpu() {  # sets CHILD_CPU: CPU seconds (user+sys) of this shell's finished children (times builtin)
    # must run in the main shell: inside $(...) the times builtin would report the subshell's own zeros
    times >"$TIMES_FILE"
    CHILD_CPU="$(tail -n1 "$TIMES_FILE" | awk '{s=0; for(i=1;i<=2;i++){split($i,a,"m"); sub("s","",a[2]); s+=a[1]*60+a[2]} printf "%.2f", s}')"
}
load1() { cut -d' ' -f1-3 /proc/loadavg; }

# ------------------------------------------------------------------ metadata
MODEL="$(lscpu | sed -n 's/^Model name:[[:space:]]*//p' | head -n1)"
NCPU="$(nproc)"
ANNOY_VER="$(sed -n 's/^#define ANNOY_VERSION_\(MAJOR\|MINOR\|PATCH\)[[:space:]]*\([0-9]*\).*/\2/p' "$ANNOY_INC/RcppAnnoy.h" 2>/dev/null | paste -sd. -)"
pkgver() { dpkg-query -W -f='${Version}' "$1" 2>/dev/null || echo "?"; }

TMP="$(mktemp)"
trap 'rm -f "$TMP" "$TIMES_FILE"' EXIT
{
    echo "# Quiver peer baselines, produced by scripts/peers.sh"
    echo "# date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "# cpu: $MODEL; $NCPU cores ($(lscpu | sed -n 's/^Thread(s) per core:[[:space:]]*/threads per core: /p'))"
    echo "# kernel: $(uname -r); compiler: $(g++ --version | head -n1); flags: ${CXXFLAGS[*]}"
    echo "# annoy: annoylib.h from r-cran-rcppannoy $(pkgver r-cran-rcppannoy) (Annoy ${ANNOY_VER:-?}), Kiss64Random, AnnoyIndexMultiThreadedBuildPolicy"
    echo "# hnswlib: libhnswlib-dev $(pkgver libhnswlib-dev)"
    echo "# data: fashion-mnist 60000 base x 784, 10000 queries, k=10, recall@10 vs exact truth; single-threaded search"
    echo "# qps/p50_ms/p99_ms: median of $RUNS timed passes over all 10000 queries after warm-up; build_s includes adding the vectors"
    echo "# load before: $(load1)"
} >"$TMP"

: >"$LOG"
HEADER_DONE=0
run() {  # run DESCRIPTION CMD... : append the CSV rows of one driver invocation
    local what="$1"; shift
    local b0 t0 c0 l0 b1 t1 c1 wall other
    [ "${WAIT_QUIET:-1}" = 1 ] && wait_quiet || QUIET_NOTE="no idle check"
    read -r b0 t0 < <(busy_ticks); child_cpu; c0="$CHILD_CPU"; l0="$(load1)"
    log "$what (load $l0, $QUIET_NOTE)"
    local hdr=()
    [ "$HEADER_DONE" = 1 ] && hdr=(--no-header)
    echo "### $what: $*" >>"$LOG"
    local n0; n0="$(wc -l <"$LOG")"
    # shellcheck disable=SC2086
    "$@" "${hdr[@]}" ${DRIVER_OPTS:-} 2>>"$LOG" | tee -a "$TMP" >&2
    HEADER_DONE=1
    read -r b1 t1 < <(busy_ticks); child_cpu; c1="$CHILD_CPU"
    wall="$(awk -v t=$((t1 - t0)) -v hz="$HZ" -v n="$NCPU" 'BEGIN{printf "%.0f", t/hz/n}')"
    other="$(awk -v b=$((b1 - b0)) -v hz="$HZ" -v c0="$c0" -v c1="$c1" 'BEGIN{o=b/hz-(c1-c0); if(o<0)o=0; printf "%.1f", o}')"
    local guard
    guard="$(tail -n +"$((n0 + 1))" "$LOG" | grep 'interference guard:' | tail -n1 | sed 's/.*interference guard: //')"
    echo "# $what: ${wall} s, $QUIET_NOTE; other processes used ${other} CPU-s meanwhile (guard: $guard); load before $l0, after $(load1)" >>"$TMP.notes"
    tail -n +"$((n0 + 1))" "$LOG" | grep 'INTERFERENCE' | sed "s/^ */# $what: /" >>"$TMP.notes.flag" || true
    log "$what: done in ${wall} s; other processes used ${other} CPU-s meanwhile"
}
rm -f "$TMP.notes" "$TMP.notes.flag"

for what in $ONLY; do
    case "$what" in
    annoy)
        for t in $ANNOY_TREES; do
            run "annoy trees=$t" "$BUILD/annoy_driver" --data "$DATA/fashion-mnist" --trees "$t" \
                --search-k "$ANNOY_SEARCH_K" --threads 2 --runs "$RUNS" --warmup "$ANNOY_WARMUP" --index-dir "$BUILD"
        done
        ;;
    hnswlib)
        run "hnswlib l2" "$BUILD/hnswlib_driver" --data "$DATA/fashion-mnist" --space l2 --M 16 --efc 200 \
            --threads "$HNSW_THREADS" --ef "$HNSW_EF" --runs "$RUNS" --warmup "$HNSW_WARMUP" --index-dir "$BUILD"
        ;;
    hnswlib-cosine)
        run "hnswlib cosine" "$BUILD/hnswlib_driver" --data "$DATA/fashion-mnist-cosine" --space cosine --M 16 \
            --efc 200 --threads "$HNSW_THREADS" --ef "$HNSW_EF" --runs "$RUNS" --warmup "$HNSW_WARMUP" --index-dir "$BUILD"
        ;;
    *) fail "unknown ONLY entry $what" ;;
    esac
done

# metadata lines first, then the CSV (header + rows), then per-run load notes
{
    grep '^#' "$TMP"
    cat "$TMP.notes"
    cat "$TMP.notes.flag" 2>/dev/null || true
    grep -v '^#' "$TMP"
} >"$OUT.tmp"
rm -f "$TMP.notes" "$TMP.notes.flag"
mv "$OUT.tmp" "$OUT"
log "wrote $OUT (driver logs: $LOG)"
cat "$OUT"
