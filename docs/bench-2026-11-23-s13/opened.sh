#!/bin/bash
J=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java
F="--add-modules=jdk.incubator.vector --enable-native-access=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED --add-opens=java.base/sun.nio.ch=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow"
out=/work/main/build/bench/incremental
jar=${JAR:-/work/main/quiver-bench/target/quiver-bench.jar}
for r in $(seq ${ROUNDS:-2}); do
for n in 50000 500000; do
  rm -rf $out/copy $out/warm; cp -rL $out/base-$n $out/copy; cp -rL $out/base-50000 $out/warm; sync
  echo "== opened $n round $r"
  $J $F -Xmx1g $EXTRA -cp $jar io.quiver.bench.IncrementalBenchmark insert --db $out/copy --insert 1000 --batches ${BATCHES:-1} --warm-up-db $out/warm --warm-up-batches 3 2>&1 | sed -n '/^warm_up_batches/,$p' | grep -E '^batch=|^WL|: [0-9.]+(ms|s)$' | sed -E 's/ ms_per_item=[^ ]+ items_per_s=[^ ]+//'
done
done
rm -rf $out/copy $out/warm
