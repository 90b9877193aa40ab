#!/bin/bash
J=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java
F="--add-modules=jdk.incubator.vector --enable-native-access=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED --add-opens=java.base/sun.nio.ch=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow"
out=/work/main/build/bench/incremental
jar=${JAR:-/tmp/qbB/quiver-bench/target/quiver-bench.jar}
batches=${BATCHES:-1}
for r in $(seq ${ROUNDS:-2}); do
for n in ${SIZES:-50000 500000}; do
  rm -rf $out/copy; cp -rL $out/base-$n $out/copy; sync
  echo "== $n round $r"
  $J $F -Xmx1g $EXTRA -cp $jar io.quiver.bench.IncrementalBenchmark insert --db $out/copy --insert 1000 --batches $batches 2>&1 | grep -E '^batch=|^WL|inserting items|writing links' | sed -E 's/ ms_per_item.*add_s/ add_s/'
done
done
rm -rf $out/copy
