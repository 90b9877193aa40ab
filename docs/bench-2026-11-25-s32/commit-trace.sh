#!/usr/bin/env bash
# The pages one steady 500k commit writes: 5 batches of 1,000 into a fresh copy of base-500000 under
# strace (writes and fdatasync only; BATCHES=N for another count, thirty-third session), then their runs (commit-runs.py) and, for the last commit,
# the kind of each page written, read back from the file (commit-pages.py).
# Usage (repository root): bash commit-trace.sh JAR [JVM options...]
set -euo pipefail
jar=$1; shift
out=build/bench/incremental
J=$(ls -d /usr/lib/jvm/temurin-25*/bin/java | head -n1)
here=$(dirname "$0")
rm -rf "$out/copy"; cp -rL "$out/base-500000" "$out/copy"; sync
trace=$(mktemp)
strace -f --seccomp-bpf -e trace=fdatasync,pwrite64,lseek,writev -o "$trace" "$J" "$@" --add-modules=jdk.incubator.vector \
    --enable-native-access=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED --add-opens=java.base/sun.nio.ch=ALL-UNNAMED \
    --sun-misc-unsafe-memory-access=allow -Xmx1g -cp "$jar" io.quiver.bench.IncrementalBenchmark insert --db "$out/copy" --insert 1000 --batches ${BATCHES:-5} \
    2>/dev/null | grep '^batch=' | cut -d' ' -f1,4,9
echo "-- pages written and runs per commit (commit 0 appends at the file's end; the last line is the meta page)"
python3 "$here/commit-runs.py" "$trace"
echo "-- the same, runs merged across gaps of up to 4 pages"
python3 "$here/commit-runs.py" "$trace" 4
echo "-- pages of the last commit by kind: (leaf|branch, kind byte of the first key: 3 LINKS, 4 ITEM, 5 CODE), overflow = vectors"
python3 "$here/commit-pages.py" "$trace" "$out/copy/data.mdb" | head -8
rm -rf "$out/copy" "$trace"
