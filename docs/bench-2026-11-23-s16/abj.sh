#!/bin/bash
# Interleaved A/B of incremental.sh's three regimes: $1 rounds, $2 log name, rest jar names (/tmp/qb<name>)
r=$1; name=$2; shift 2
J=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java
F="--add-modules=jdk.incubator.vector --enable-native-access=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED --add-opens=java.base/sun.nio.ch=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow -Xmx1g"
out=/work/main/build/bench/incremental
log=/tmp/s16/ab/$name.log
for i in $(seq $r); do for n in 50000 500000; do for j in "$@"; do
  jar=/tmp/qb$j/quiver-bench/target/quiver-bench.jar
  rm -rf $out/copy $out/warm; cp -rL $out/base-$n $out/copy; sync
  echo "== process $j $n $i $(date -u +%H:%M:%S)" >> $log
  $J $F -cp $jar io.quiver.bench.IncrementalBenchmark insert --db $out/copy --insert 1000 --batches 8 2>/dev/null | grep -E '^batch=|writing links|recode' >> $log
  rm -rf $out/copy $out/warm; cp -rL $out/base-$n $out/copy; cp -rL $out/base-50000 $out/warm; sync
  echo "== opened $j $n $i $(date -u +%H:%M:%S)" >> $log
  $J $F -cp $jar io.quiver.bench.IncrementalBenchmark insert --db $out/copy --insert 1000 --batches 1 --warm-up-db $out/warm --warm-up-batches 3 2>/dev/null | sed -n '/^warm_up_batches/,$p' | grep -E '^batch=|writing links|recode' >> $log
done; done; done
rm -rf $out/copy $out/warm
