#!/bin/bash
# interleaved A/B in a warmed JVM: 3 untimed batches into a copy of the 50k base, then BATCHES measured batches into a fresh copy of the base
J=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java
F="--add-modules=jdk.incubator.vector --enable-native-access=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED --add-opens=java.base/sun.nio.ch=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow"
for r in $(seq 1 ${ROUNDS:-3}); do for b in ${SIZES:-50k 500k}; do for X in $JARS; do
  rm -rf /tmp/ins-copy /tmp/ins-warm; cp -r /tmp/n$b-base /tmp/ins-copy; cp -r /tmp/n50k-base /tmp/ins-warm; sync
  echo "== $X $b round $r $(date -u +%H:%M:%S)"
  $J $F -Xmx1g -cp /tmp/qb$X/quiver-bench/target/quiver-bench.jar io.quiver.bench.IncrementalBenchmark insert --db /tmp/ins-copy --insert 1000 --batches ${BATCHES:-2} --warm-up-db /tmp/ins-warm --warm-up-batches 3 2>&1 | grep -v WARN | sed -n '/warm_up_batches/,$p' | egrep 'batch=|inserting|writing links'
done; done; done
