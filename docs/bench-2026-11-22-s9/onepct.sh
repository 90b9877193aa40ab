#!/bin/bash
# Inserts of 1% of the index: 500 items per batch into the 50k base, 5,000 into the 500k base.
# Per round and size, one process inserts BATCHES batches into a fresh synced copy of the base.
J=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java
F="--add-modules=jdk.incubator.vector --enable-native-access=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED --add-opens=java.base/sun.nio.ch=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow"
JAR=${JAR:-quiver-bench/target/quiver-bench.jar}
for r in $(seq ${ROUNDS:-3}); do for b in 500k 50k; do
  n=500; [ $b = 500k ] && n=5000
  rm -rf /tmp/ins-copy; cp -r /tmp/n$b-base /tmp/ins-copy; sync
  echo "== $b insert $n round $r $(date -u +%H:%M:%S)"
  $J $F -Xmx1g -cp $JAR io.quiver.bench.IncrementalBenchmark insert --db /tmp/ins-copy --insert $n --batches ${BATCHES:-5} 2>&1 | grep -E "^batch=|writing links|inserting items"
done; done
