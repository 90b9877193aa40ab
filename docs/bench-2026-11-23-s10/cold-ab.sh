#!/bin/bash
# First batch into a cold index in a fresh JVM, two jars interleaved (JARS, default "H M": /tmp/qbH =
# 36acdb0, /tmp/qbM = 6b6e5d8); per round: each size, each jar, order of jars alternating by round.
J=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java
F="--add-modules=jdk.incubator.vector --enable-native-access=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED --add-opens=java.base/sun.nio.ch=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow"
for r in $(seq 1 ${ROUNDS:-5}); do
  if [ $((r % 2)) = 1 ]; then ORDER="H M"; else ORDER="M H"; fi
  for b in 50k 500k; do for X in $ORDER; do
    rm -rf /tmp/ins-copy; cp -r /tmp/n$b-base /tmp/ins-copy; sync
    echo "== $X $b round $r $(date -u +%H:%M:%S)"
    $J $F -Xmx1g -cp /tmp/qb$X/quiver-bench/target/quiver-bench.jar io.quiver.bench.IncrementalBenchmark insert --db /tmp/ins-copy --insert 1000 --batches 1 2>&1 | grep -E "^batch=|writing links|inserting items"
  done; done
done
