#!/usr/bin/env bash
set -euo pipefail
cd /work/main
out=build/bench/incremental
J=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java
bench=("$J" --add-modules=jdk.incubator.vector --enable-native-access=ALL-UNNAMED
    --add-opens=java.base/java.nio=ALL-UNNAMED --add-opens=java.base/sun.nio.ch=ALL-UNNAMED
    --sun-misc-unsafe-memory-access=allow -Xmx1g -cp quiver-bench/target/quiver-bench.jar io.quiver.bench.IncrementalBenchmark)
S=(strace -f --seccomp-bpf -e trace=pwrite64,pwritev,pwritev2,writev,fdatasync,fsync,msync,openat -T -tt)
rm -rf $out/copy $out/warm; cp -rL $out/base-500000 $out/copy; sync
echo "== fresh"; "${S[@]}" -o /tmp/s15/st-fresh.txt "${bench[@]}" insert --db $out/copy --insert 1000 --batches 2 2>/dev/null | grep '^batch='
rm -rf $out/copy $out/warm; cp -rL $out/base-500000 $out/copy; cp -rL $out/base-50000 $out/warm; sync
echo "== opened"; "${S[@]}" -o /tmp/s15/st-opened.txt "${bench[@]}" insert --db $out/copy --insert 1000 --batches 2 --warm-up-db $out/warm --warm-up-batches 3 2>/dev/null | sed -n '/^warm_up_batches/,$p' | grep '^batch='
rm -rf $out/copy $out/warm
