#!/usr/bin/env bash
# The incremental-insert targets of docs/BENCHMARKS.md: 1,000 new 768-d vectors inserted (added,
# built, committed) into HNSW indexes of 50k and 500k clustered items, in three regimes:
#   fresh JVM   - the first batch of a new process;
#   steady      - the mean of batches 3-8 of that same process;
#   just-opened - a JVM warmed by 3 batches into a copy of the 50k base, then its first batch into
#                 an index it has just opened.
# Rounds interleave the two sizes; every process starts from a fresh, synced copy of its base.
# Prints, per regime, the medians, the ratio 500k/50k per round and of the medians, and 500k items/s
# (targets: ratio <= 1.5, >= 500 items/s at 500k).
#   bash scripts/incremental.sh [rounds]     # default 6; ~45 s a round here
# The bases are built once into build/bench/incremental/ (~4 min; 2.9 GB, plus 2.9 GB of copies while
# it runs). Raw output: build/bench/incremental/runs-<time>.log. JAVA=/path/to/java picks the JDK;
# JAVA_OPTS adds JVM options to the insert processes (not to the base builds); JAR=other.jar runs
# another build of quiver-bench (for A/B runs). FROM_DISK=1 drops each copy's pages from the page
# cache and reads them back, as a store opened after a restart is found: on kernels that cache files
# in large folios (Linux 6.16+ on ext4, xfs) the map then uses 2 MiB pages, while a copy's pages,
# written by cp, stay 4 KiB (grep FilePmdMapped /proc/PID/smaps shows which).
set -euo pipefail
cd "$(dirname "$0")/.."
rounds="${1:-6}"
out=build/bench/incremental
mkdir -p "$out"
if [ -z "${JAVA:-}" ]; then
    JAVA="$(ls -d /usr/lib/jvm/temurin-25*/bin/java 2>/dev/null | head -n1 || true)"
    JAVA="${JAVA:-java}"
fi
jar="${JAR:-quiver-bench/target/quiver-bench.jar}"
[ -f "$jar" ] || mvn -q -pl quiver-core,quiver-bench -am package -DskipTests
bench=("$JAVA" --add-modules=jdk.incubator.vector --enable-native-access=ALL-UNNAMED
    --add-opens=java.base/java.nio=ALL-UNNAMED --add-opens=java.base/sun.nio.ch=ALL-UNNAMED
    --sun-misc-unsafe-memory-access=allow -Xmx1g -cp "$jar" io.quiver.bench.IncrementalBenchmark)
read -r -a extra <<<"${JAVA_OPTS:-}"
insert=("$JAVA" "${extra[@]}" "${bench[@]:1}")

for n in 50000 500000; do
    if [ ! -d "$out/base-$n" ]; then
        echo "building the $n-item base (once)..." >&2
        "${bench[@]}" build --db "$out/base-$n" --base "$n" --dims 768 2>>"$out/stderr.log" | tee "$out/base-$n.log" >&2
    fi
done

# A fresh copy of the base of $1 items in $out/copy; with a second argument, of the 50k base in $out/warm too.
# Synced: otherwise the inserts' commits also wait for the copy's dirty pages.
fresh_copy() {
    rm -rf "$out/copy" "$out/warm"
    cp -rL "$out/base-$1" "$out/copy"
    if [ -n "${2:-}" ]; then
        cp -rL "$out/base-50000" "$out/warm"
    fi
    sync
    if [ -n "${FROM_DISK:-}" ]; then
        python3 - "$out"/copy/data.mdb ${2:+"$out"/warm/data.mdb} <<'PY'
import os, sys
for path in sys.argv[1:]:
    fd = os.open(path, os.O_RDONLY)
    os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)  # clean after sync, so dropped
    while os.read(fd, 1 << 20):
        pass
    os.close(fd)
PY
    fi
}

log="$out/runs-$(date -u +%Y%m%dT%H%M%S).log"
echo "# $(git rev-parse --short HEAD 2>/dev/null || echo unknown) JAR=$jar JAVA_OPTS=${JAVA_OPTS:-} FROM_DISK=${FROM_DISK:-}" >>"$log"
for r in $(seq "$rounds"); do
    for n in 50000 500000; do
        fresh_copy "$n"
        echo "== process $n round $r $(date -u +%H:%M:%S)" >>"$log"
        "${insert[@]}" insert --db "$out/copy" --insert 1000 --batches 8 2>>"$out/stderr.log" | grep '^batch=' >>"$log"
        fresh_copy "$n" warm
        echo "== opened $n round $r $(date -u +%H:%M:%S)" >>"$log"
        "${insert[@]}" insert --db "$out/copy" --insert 1000 --batches 1 --warm-up-db "$out/warm" --warm-up-batches 3 \
            2>>"$out/stderr.log" | sed -n '/^warm_up_batches/,$p' | grep '^batch=' >>"$log"
    done
    echo "round $r of $rounds done" >&2
done
rm -rf "$out/copy" "$out/warm"

python3 - "$log" <<'EOF'
import re, statistics as st, sys
runs = {}  # (regime, size, round) -> seconds
kind = size = rnd = None
totals = []
def close():
    if kind == 'process' and totals:
        runs[('fresh JVM, batch 1', size, rnd)] = totals[0]
        if len(totals) >= 8:
            runs[('steady, batches 3-8', size, rnd)] = st.mean(totals[2:8])
    elif kind == 'opened' and totals:
        runs[('warmed JVM, just-opened index', size, rnd)] = totals[0]
for line in open(sys.argv[1]):
    m = re.match(r'== (\w+) (\d+) round (\d+)', line)
    if m:
        close()
        kind, size, rnd, totals = m.group(1), int(m.group(2)), int(m.group(3)), []
        continue
    m = re.match(r'batch=\d+ .*total_s=([\d.]+)', line)
    if m:
        totals.append(float(m.group(1)))
close()
print(sys.argv[1])
print('| regime | rounds | 50k median (s) | 500k median (s) | ratio per round | rounds <= 1.5 | ratio of medians | 500k items/s |')
print('| --- | ---: | ---: | ---: | --- | ---: | ---: | ---: |')
for regime in ['steady, batches 3-8', 'fresh JVM, batch 1', 'warmed JVM, just-opened index']:
    rs = sorted({k[2] for k in runs if k[0] == regime and (regime, 50000, k[2]) in runs and (regime, 500000, k[2]) in runs})
    if not rs:
        continue
    small = [runs[(regime, 50000, r)] for r in rs]
    big = [runs[(regime, 500000, r)] for r in rs]
    ratios = [b / s for s, b in zip(small, big)]
    print(f"| {regime} | {len(rs)} | {st.median(small):.3f} | {st.median(big):.3f} | "
          f"{min(ratios):.2f}-{max(ratios):.2f} | {sum(x <= 1.5 for x in ratios)} | "
          f"{st.median(big) / st.median(small):.2f} | {1000 / st.median(big):.0f} |")
EOF
