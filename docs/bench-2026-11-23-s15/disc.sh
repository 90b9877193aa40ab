#!/usr/bin/env bash
# Does deleting the previous 2.6 GB copy (ext4 mounted with discard) slow the next commits?
set -euo pipefail
cd /work/main
out=build/bench/incremental
J=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java
bench=("$J" --add-modules=jdk.incubator.vector --enable-native-access=ALL-UNNAMED
    --add-opens=java.base/java.nio=ALL-UNNAMED --add-opens=java.base/sun.nio.ch=ALL-UNNAMED
    --sun-misc-unsafe-memory-access=allow -Xmx1g -cp ${JAR:-quiver-bench/target/quiver-bench.jar} io.quiver.bench.IncrementalBenchmark)
for r in $(seq ${1:-3}); do
  for mode in plain settle; do
    rm -rf $out/copy $out/warm; cp -rL $out/base-500000 $out/copy; sync; sleep 2
    rm -rf $out/copy
    if [ $mode = settle ]; then sync; sleep 30; fi
    cp -rL $out/base-500000 $out/copy; cp -rL $out/base-50000 $out/warm; sync
    echo "== $mode round $r $(date -u +%T)"
    "${bench[@]}" insert --db $out/copy --insert 1000 --batches 2 --warm-up-db $out/warm --warm-up-batches 3 2>/dev/null | sed -n '/^warm_up_batches/,$p' | grep '^batch='
  done
done
rm -rf $out/copy $out/warm
