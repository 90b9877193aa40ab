#!/bin/bash
# Scratch counters (counters.diff.txt applied to 36acdb0, jar in /tmp/qbI): per batch, the old nodes
# whose lists change (TOUCH), the split of "writing links" (LINKS) and the distance computations (DIST);
# then minor page faults of 3- and 8-batch processes with the jar of 36acdb0 (perf stat).
J=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java
F="--add-modules=jdk.incubator.vector --enable-native-access=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED --add-opens=java.base/sun.nio.ch=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow"
for b in 500k 50k; do
  rm -rf /tmp/ins-copy; cp -r /tmp/n$b-base /tmp/ins-copy; sync
  echo "== counters $b $(date -u +%H:%M:%S)"
  $J $F -Xmx1g -cp /tmp/qbI/quiver-bench/target/quiver-bench.jar io.quiver.bench.IncrementalBenchmark insert --db /tmp/ins-copy --insert 1000 --batches 6 2>&1 | grep -E "^(TOUCH|LINKS|DIST|batch=)|inserting items|writing links"
done
for b in 500k 50k; do for n in 3 8; do
  rm -rf /tmp/ins-copy; cp -r /tmp/n$b-base /tmp/ins-copy; sync
  echo "== faults $b batches=$n $(date -u +%H:%M:%S)"
  /usr/bin/perf stat -e minor-faults,major-faults -x, $J $F -Xmx1g -cp /tmp/qbH/quiver-bench/target/quiver-bench.jar io.quiver.bench.IncrementalBenchmark insert --db /tmp/ins-copy --insert 1000 --batches $n 2>&1 | grep -E "faults|^batch="
done; done
