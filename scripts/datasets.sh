#!/usr/bin/env bash
# Reproducible benchmark datasets for Quiver, built from the Debian package
# dataset-fashion-mnist (no network needed beyond the Debian archive).
#
#   bash scripts/datasets.sh
#
# Produces (TEXMEX fvecs/ivecs: per vector an int32 little-endian dimension, then the values):
#   data/fashion-mnist/base.fvecs          60,000 x 784 float32 (train images, pixels 0..255)
#   data/fashion-mnist/queries.fvecs       10,000 x 784 float32 (test images)
#   data/fashion-mnist/truth.ivecs         exact 100 nearest neighbours by Euclidean distance (0-based ids)
#   data/fashion-mnist-cosine/{base,queries}.fvecs   the same vectors divided by their L2 norm
#   data/fashion-mnist-cosine/truth.ivecs  exact 100 nearest neighbours by inner product (= cosine)
#   data/*/SHA256SUMS                      checksums, to compare with other machines
#
# Idempotent: every step is skipped when its output already exists with the right size.
# Ties in the ground truth are broken by the smaller id, so the files are deterministic.
# Environment: DATA_DIR (default <repo>/data), VERIFY_ROWS (default 10), FORCE=1 to rebuild all.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DATA="${DATA_DIR:-$REPO/data}"
VERIFY_ROWS="${VERIFY_ROWS:-10}"
K=100
N_BASE=60000
N_QUERY=10000
DIM=784

log() { echo "[datasets] $*"; }
fail() { echo "[datasets] ERROR: $*" >&2; exit 1; }

# apt-get install the given packages if the probe command fails; tolerate failure with a message.
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

ensure "dpkg -s dataset-fashion-mnist" dataset-fashion-mnist ||
    fail "Debian package dataset-fashion-mnist is required (apt-get install -y dataset-fashion-mnist)"
ensure "command -v gcc" gcc libc6-dev ||
    fail "gcc is required (apt-get install -y gcc)"

find_pkg_file() {
    dpkg -L dataset-fashion-mnist | grep -E "/$1\$" | head -n1
}
TRAIN_GZ="$(find_pkg_file train-images-idx3-ubyte.gz)"
TEST_GZ="$(find_pkg_file t10k-images-idx3-ubyte.gz)"
[ -n "$TRAIN_GZ" ] && [ -f "$TRAIN_GZ" ] || fail "train-images-idx3-ubyte.gz not found in dataset-fashion-mnist"
[ -n "$TEST_GZ" ] && [ -f "$TEST_GZ" ] || fail "t10k-images-idx3-ubyte.gz not found in dataset-fashion-mnist"
log "source: $TRAIN_GZ"
log "source: $TEST_GZ"

# --- build the helper (truth.c): idx2fvecs, normalize, knn, verify
BIN_DIR="$DATA/.bin"
TRUTH="$BIN_DIR/truth"
mkdir -p "$BIN_DIR"
if [ ! -x "$TRUTH" ] || [ "$REPO/scripts/truth.c" -nt "$TRUTH" ]; then
    log "compiling scripts/truth.c -> $TRUTH (gcc -O3 -march=native -fopenmp)"
    gcc -O3 -march=native -fopenmp -o "$TRUTH.tmp" "$REPO/scripts/truth.c" -lm
    mv "$TRUTH.tmp" "$TRUTH"
fi
export OMP_NUM_THREADS="${OMP_NUM_THREADS:-$(nproc)}"

FSIZE_BASE=$((N_BASE * (4 + DIM * 4)))
FSIZE_QUERY=$((N_QUERY * (4 + DIM * 4)))
ISIZE_TRUTH=$((N_QUERY * (4 + K * 4)))

# has_size FILE BYTES: the output of a step exists and is complete
has_size() { [ -f "$1" ] && [ "$(stat -c %s "$1")" -eq "$2" ]; }

# step OUT BYTES DESCRIPTION CMD... : run CMD (which must write "$OUT.tmp") unless OUT is complete
FRESH=()
step() {
    local out="$1" bytes="$2" what="$3"; shift 3
    if [ "${FORCE:-0}" != 1 ] && has_size "$out" "$bytes"; then
        log "ok   $out ($what) already present, skipping"
        return 0
    fi
    log "make $out ($what)"
    rm -f "$out.tmp"
    "$@"
    has_size "$out.tmp" "$bytes" || fail "$out.tmp has size $(stat -c %s "$out.tmp" 2>/dev/null || echo 0), expected $bytes"
    mv "$out.tmp" "$out"
    FRESH+=("$out")
}

L2="$DATA/fashion-mnist"
COS="$DATA/fashion-mnist-cosine"
mkdir -p "$L2" "$COS"

idx2fvecs() { gzip -dc "$1" | "$TRUTH" idx2fvecs - "$2"; }

step "$L2/base.fvecs" "$FSIZE_BASE" "60,000 train images as float32" idx2fvecs "$TRAIN_GZ" "$L2/base.fvecs.tmp"
step "$L2/queries.fvecs" "$FSIZE_QUERY" "10,000 test images as float32" idx2fvecs "$TEST_GZ" "$L2/queries.fvecs.tmp"
step "$L2/truth.ivecs" "$ISIZE_TRUTH" "exact top-$K by Euclidean distance" \
    "$TRUTH" knn "$L2/base.fvecs" "$L2/queries.fvecs" "$L2/truth.ivecs.tmp" "$K" l2

step "$COS/base.fvecs" "$FSIZE_BASE" "L2-normalised base" "$TRUTH" normalize "$L2/base.fvecs" "$COS/base.fvecs.tmp"
step "$COS/queries.fvecs" "$FSIZE_QUERY" "L2-normalised queries" "$TRUTH" normalize "$L2/queries.fvecs" "$COS/queries.fvecs.tmp"
step "$COS/truth.ivecs" "$ISIZE_TRUTH" "exact top-$K by inner product of normalised vectors" \
    "$TRUTH" knn "$COS/base.fvecs" "$COS/queries.fvecs" "$COS/truth.ivecs.tmp" "$K" ip

# --- verify sampled rows of the ground truth against a naive double-precision scan
# (always for freshly computed truth; set VERIFY=1 to re-check existing files)
verify() {
    local dir="$1" metric="$2"
    if [ "${VERIFY:-0}" = 1 ] || printf '%s\n' "${FRESH[@]:-}" | grep -qx "$dir/truth.ivecs\|$dir/base.fvecs\|$dir/queries.fvecs"; then
        log "verify $dir/truth.ivecs: $VERIFY_ROWS sampled queries vs naive scan ($metric)"
        "$TRUTH" verify "$dir/base.fvecs" "$dir/queries.fvecs" "$dir/truth.ivecs" "$metric" "$VERIFY_ROWS" ||
            fail "ground truth in $dir does not match the naive check"
    fi
}
verify "$L2" l2
verify "$COS" ip

for dir in "$L2" "$COS"; do
    if [ ! -f "$dir/SHA256SUMS" ] || [ ${#FRESH[@]} -gt 0 ]; then
        (cd "$dir" && sha256sum base.fvecs queries.fvecs truth.ivecs >SHA256SUMS)
    fi
    log "$dir:"
    sed 's/^/[datasets]   /' "$dir/SHA256SUMS"
done
log "done"
