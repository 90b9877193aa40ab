#!/bin/bash
# fresh JVM, one batch, PrintCompilation; per size
J=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java
F="--add-modules=jdk.incubator.vector --enable-native-access=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED --add-opens=java.base/sun.nio.ch=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow"
out=/work/main/build/bench/incremental
for r in 1 2; do
for n in 50000 500000; do
  rm -rf $out/copy; cp -rL $out/base-$n $out/copy; sync
  $J $F -Xmx1g -XX:+PrintCompilation -cp /tmp/qbA/quiver-bench/target/quiver-bench.jar io.quiver.bench.IncrementalBenchmark insert --db $out/copy --insert 1000 --batches 1 > /tmp/s13/jit-$n-$r.log 2>&1
  grep '^batch=' /tmp/s13/jit-$n-$r.log
done
done
rm -rf $out/copy
