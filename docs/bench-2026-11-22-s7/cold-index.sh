#!/bin/bash
# First batches into a cold index, in a fresh JVM (F) and in a JVM whose insert path the JIT has
# already compiled on another index (W: --warm-up-db, three untimed batches into a copy of the 50k
# base). Interleaved: per round, F then W at 50k, then F then W at 500k. Each measured run inserts
# BATCHES (default 2) batches of 1,000 into a fresh synced copy of the base.
# Env: JAR (quiver-bench.jar), ROUNDS (default 4), BATCHES.
J=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java
F="--add-modules=jdk.incubator.vector --enable-native-access=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED --add-opens=java.base/sun.nio.ch=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow"
JAR=${JAR:-quiver-bench/target/quiver-bench.jar}
for r in $(seq 1 ${ROUNDS:-4}); do for b in 50k 500k; do for v in F W; do
  rm -rf /tmp/ins-copy /tmp/ins-warm; cp -r /tmp/n$b-base /tmp/ins-copy
  X=""
  if [ $v = W ]; then cp -r /tmp/n50k-base /tmp/ins-warm; X="--warm-up-db /tmp/ins-warm --warm-up-batches 3"; fi
  sync
  echo "== $v $b round $r $(date -u +%H:%M:%S)"
  $J $F -Xmx1g -cp $JAR io.quiver.bench.IncrementalBenchmark insert --db /tmp/ins-copy --insert 1000 --batches ${BATCHES:-2} $X 2>&1 | grep -v WARN
done; done; done
