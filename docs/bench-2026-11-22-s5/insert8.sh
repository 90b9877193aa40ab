#!/bin/bash
# Two series per size, 8 batches of 1,000 in one process each, on a fresh synced copy of the base.
J=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java
F="--add-modules=jdk.incubator.vector --enable-native-access=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED --add-opens=java.base/sun.nio.ch=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow"
JAR=${JAR:-/tmp/qbA/quiver-bench/target/quiver-bench.jar}
for s in 1 2; do for b in 50k 500k; do
  rm -rf /tmp/ins-copy; cp -r /tmp/n$b-base /tmp/ins-copy; sync
  echo "== $b series $s $(date -u +%H:%M:%S) commit $(git -C /work/main rev-parse --short HEAD)"
  $J $F -Xmx1g -cp $JAR io.quiver.bench.IncrementalBenchmark insert --db /tmp/ins-copy --insert 1000 --batches 8 2>&1 | grep -v WARN
done; done
