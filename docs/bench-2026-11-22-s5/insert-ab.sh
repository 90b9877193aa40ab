#!/bin/bash
# Interleaved A/B of the incremental-insert benchmark: for each size, jar JA then jar JB, each a fresh
# process inserting BATCHES batches of 1,000 (default 8) on a fresh synced copy of the base; ROUNDS rounds.
J=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java
F="--add-modules=jdk.incubator.vector --enable-native-access=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED --add-opens=java.base/sun.nio.ch=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow"
for s in $(seq 1 ${ROUNDS:-2}); do for b in 50k 500k; do for v in A B; do
  if [ $v = A ]; then JAR=$JA; else JAR=$JB; fi
  rm -rf /tmp/ins-copy; cp -r /tmp/n$b-base /tmp/ins-copy; sync
  echo "== $v $b ${LABEL:-series} $s $(date -u +%H:%M:%S)"
  $J $F -Xmx1g -cp $JAR io.quiver.bench.IncrementalBenchmark insert --db /tmp/ins-copy --insert 1000 --batches ${BATCHES:-8} 2>&1 | grep -v WARN
done; done; done
