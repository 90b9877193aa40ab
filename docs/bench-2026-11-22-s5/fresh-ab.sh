#!/bin/bash
# Interleaved A/B of fresh processes: 2 batches of 1,000 per process, on a fresh synced copy.
J=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java
F="--add-modules=jdk.incubator.vector --enable-native-access=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED --add-opens=java.base/sun.nio.ch=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow"
for s in $(seq 1 ${ROUNDS:-4}); do for b in 50k 500k; do for v in A B; do
  if [ $v = A ]; then JAR=$JA; else JAR=$JB; fi
  rm -rf /tmp/ins-copy; cp -r /tmp/n$b-base /tmp/ins-copy; sync
  echo "== $v $b round $s $(date -u +%H:%M:%S)"
  $J $F -Xmx1g -cp $JAR io.quiver.bench.IncrementalBenchmark insert --db /tmp/ins-copy --insert 1000 --batches 2 2>&1 | grep -v WARN
done; done; done
