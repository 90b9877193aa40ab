#!/bin/bash
J=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java
F="--add-modules=jdk.incubator.vector --enable-native-access=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED --add-opens=java.base/sun.nio.ch=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow"
JAR=${JAR:-/work/main/quiver-bench/target/quiver-bench.jar}
for b in ${SIZES:-50k 500k}; do
  rm -rf /tmp/ins-copy; cp -r /tmp/n$b-base /tmp/ins-copy; sync
  echo "== $b $(date -u +%H:%M:%S) resident: $(fincore /tmp/ins-copy/data.mdb | tail -1)"
  perf stat -e page-faults,major-faults,minor-faults -- $J $F $XOPT -Xmx1g -cp $JAR io.quiver.bench.IncrementalBenchmark insert --db /tmp/ins-copy --insert 1000 --batches ${BATCHES:-1} 2>&1 | grep -v WARN | egrep 'batch=|inserting|writing links|faults|elapsed|LOOKUPS|PREFILL'
done
