#!/bin/bash
J=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java
F="--add-modules=jdk.incubator.vector --enable-native-access=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED --add-opens=java.base/sun.nio.ch=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow"
JAR=/tmp/qbP/quiver-bench/target/quiver-bench.jar
for r in $(seq 1 ${ROUNDS:-3}); do for b in ${SIZES:-500k}; do for M in ${MODES:-none pre}; do
  rm -rf /tmp/ins-copy /tmp/ins-warm; cp -r /tmp/n$b-base /tmp/ins-copy; cp -r /tmp/n50k-base /tmp/ins-warm; sync
  echo "== $M $b round $r $(date -u +%H:%M:%S)"
  if [ $M = pre ]; then export PREFAULT=1; else unset PREFAULT; fi
  $J $F -Xmx1g -cp $JAR io.quiver.bench.IncrementalBenchmark insert --db /tmp/ins-copy --insert 1000 --batches ${BATCHES:-2} --warm-up-db /tmp/ins-warm --warm-up-batches 3 2>&1 | grep -v WARN | sed -n '/warm_up_batches/,$p' | egrep 'prefault|batch=|inserting|writing links'
done; done; done
