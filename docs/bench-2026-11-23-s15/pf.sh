#!/usr/bin/env bash
set -euo pipefail
cd /work/main
out=build/bench/incremental
J=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java
bench=("$J" --add-modules=jdk.incubator.vector --enable-native-access=ALL-UNNAMED
    --add-opens=java.base/java.nio=ALL-UNNAMED --add-opens=java.base/sun.nio.ch=ALL-UNNAMED
    --sun-misc-unsafe-memory-access=allow -Xmx1g -XX:+PreserveFramePointer -cp quiver-bench/target/quiver-bench.jar io.quiver.bench.IncrementalBenchmark)
rm -rf $out/copy $out/warm; cp -rL $out/base-500000 $out/copy; cp -rL $out/base-50000 $out/warm; sync
perf record -a -F 1999 -g -o /tmp/s15/perf-opened.data -- "${bench[@]}" insert --db $out/copy --insert 1000 --batches 2 --warm-up-db $out/warm --warm-up-batches 3 2>/dev/null | sed -n '/^warm_up_batches/,$p' | grep '^batch='
rm -rf $out/copy $out/warm
