#!/bin/bash
# Interleaved A/B of two jars: per round and size, one 8-batch process per jar on a fresh synced copy.
J=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java
F="--add-modules=jdk.incubator.vector --enable-native-access=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED --add-opens=java.base/sun.nio.ch=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow"
out=/work/main/build/bench/incremental
for r in $(seq ${ROUNDS:-4}); do
for n in 50000 500000; do
for X in ${JARS:-A C}; do
  rm -rf $out/copy; cp -rL $out/base-$n $out/copy; sync
  echo "== $X $n round $r $(date -u +%H:%M:%S)"
  $J $F -Xmx1g -cp /tmp/qb$X/quiver-bench/target/quiver-bench.jar io.quiver.bench.IncrementalBenchmark insert --db $out/copy --insert 1000 --batches ${BATCHES:-8} 2>&1 | grep -E '^batch=|writing links' | sed -E 's/ ms_per_item=[^ ]+ items_per_s=[^ ]+//; s/inserted=1000 //'
done
done
done
rm -rf $out/copy
