#!/bin/bash
# Interleaved A/B of steady-state inserts, same jar, with and without an environment setting (ENVB).
J=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java
F="--add-modules=jdk.incubator.vector --enable-native-access=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED --add-opens=java.base/sun.nio.ch=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow"
ROUNDS=${ROUNDS:-2}; SIZES=${SIZES:-"500k 50k"}; X=${X:-H}
for r in $(seq $ROUNDS); do for b in $SIZES; do for V in A B; do
  rm -rf /tmp/ins-copy; cp -r /tmp/n$b-base /tmp/ins-copy; sync
  echo "== $V $b round $r $(date -u +%H:%M:%S)"
  if [ $V = B ]; then E="$ENVB"; else E=""; fi
  env $E $J $F -Xmx1g -cp /tmp/qb$X/quiver-bench/target/quiver-bench.jar io.quiver.bench.IncrementalBenchmark insert --db /tmp/ins-copy --insert 1000 --batches 8 2>&1 | grep -E "^batch=|writing links|inserting items"
done; done; done
