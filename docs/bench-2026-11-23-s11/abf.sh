#!/bin/bash
# interleaved fresh-process A/B: per round, per size, each jar inserts BATCHES batches into a fresh synced copy
J=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java
F="--add-modules=jdk.incubator.vector --enable-native-access=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED --add-opens=java.base/sun.nio.ch=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow"
for r in $(seq 1 ${ROUNDS:-3}); do for b in ${SIZES:-50k 500k}; do for X in $JARS; do
  rm -rf /tmp/ins-copy; cp -r /tmp/n$b-base /tmp/ins-copy; sync
  echo "== $X $b round $r $(date -u +%H:%M:%S)"
  $J $F -Xmx1g -cp /tmp/qb$X/quiver-bench/target/quiver-bench.jar io.quiver.bench.IncrementalBenchmark insert --db /tmp/ins-copy --insert 1000 --batches ${BATCHES:-3} 2>&1 | grep -v WARN | egrep 'batch=|inserting|writing links'
done; done; done
