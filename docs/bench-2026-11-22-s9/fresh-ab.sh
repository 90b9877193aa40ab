#!/bin/bash
# Interleaved A/B of a fresh JVM's first batch of 1,000 inserts (fresh synced copy of the base each run).
# Env: JARS="A B" (copies at /tmp/qbX), ROUNDS, SIZES.
J=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java
F="--add-modules=jdk.incubator.vector --enable-native-access=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED --add-opens=java.base/sun.nio.ch=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow"
SIZES=${SIZES:-50k 500k}
for r in $(seq ${ROUNDS:-4}); do for b in $SIZES; do for X in $JARS; do
  rm -rf /tmp/ins-copy; cp -r /tmp/n$b-base /tmp/ins-copy; sync
  echo "== $X $b round $r $(date -u +%H:%M:%S)"
  $J $F -Xmx1g -cp /tmp/qb$X/quiver-bench/target/quiver-bench.jar io.quiver.bench.IncrementalBenchmark insert --db /tmp/ins-copy --insert 1000 --batches 1 2>&1 | grep -E "^batch=|inserting items|writing links|write int8"
done; done; done
