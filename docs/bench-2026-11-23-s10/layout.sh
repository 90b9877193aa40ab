#!/bin/bash
# Does the order in which one batch wrote its link lists change how fast the next batches insert?
# Per round and writer jar W in {H (36acdb0, two passes), M (6b6e5d8, one pass)}: a fresh copy of the
# 500k base gets 3 batches of 1,000 written by W; then a new process with the jar of 36acdb0 inserts 6
# more batches into it. Same reader code in the timed process, only the layout left by W differs.
J=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java
F="--add-modules=jdk.incubator.vector --enable-native-access=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED --add-opens=java.base/sun.nio.ch=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow"
for r in $(seq ${ROUNDS:-3}); do for W in ${ORDER:-H M}; do
  rm -rf /tmp/ins-copy; cp -r /tmp/n500k-base /tmp/ins-copy; sync
  $J $F -Xmx1g -cp /tmp/qb$W/quiver-bench/target/quiver-bench.jar io.quiver.bench.IncrementalBenchmark insert --db /tmp/ins-copy --insert 1000 --batches 3 > /dev/null 2>&1
  sync
  echo "== $W 500k round $r $(date -u +%H:%M:%S)"
  $J $F -Xmx1g -cp /tmp/qbH/quiver-bench/target/quiver-bench.jar io.quiver.bench.IncrementalBenchmark insert --db /tmp/ins-copy --insert 1000 --batches 6 2>&1 | grep -E "^batch=|writing links|inserting items"
done; done
