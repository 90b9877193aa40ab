#!/bin/bash
# Interleaved A/B of two quiver-bench jars on the incremental bases: per round and size, an 8-batch
# process (fresh = batch 1, steady = mean of batches 3-8) and a just-opened process (warmed by 3
# batches into a copy of the 50k base), for jar A then jar B (order alternating by round).
J=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java
OPTS="--add-modules=jdk.incubator.vector --enable-native-access=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED --add-opens=java.base/sun.nio.ch=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow -Xmx1g"
B=/work/main/build/bench/incremental
W=/tmp/ab/work; mkdir -p $W
copy() { rm -rf $W/copy $W/warm; cp -r $B/base-$1 $W/copy; [ -n "$2" ] && cp -r $B/base-50000 $W/warm; sync; }
for r in $(seq ${1:-3}); do
  if [ $((r % 2)) = 1 ]; then order="A B"; else order="B A"; fi
  for n in 50000 500000; do for v in $order; do
    copy $n
    t=$($J $OPTS -cp /tmp/ab/$v.jar io.quiver.bench.IncrementalBenchmark insert --db $W/copy --insert 1000 --batches 8 2>/dev/null | grep '^batch=' | sed 's/.*total_s=\([0-9.]*\).*/\1/' | tr '\n' ' ')
    echo "r$r $n $v proc $t"
    copy $n warm
    t=$($J $OPTS -cp /tmp/ab/$v.jar io.quiver.bench.IncrementalBenchmark insert --db $W/copy --insert 1000 --batches 1 --warm-up-db $W/warm --warm-up-batches 3 2>/dev/null | sed -n '/^warm_up_batches/,$p' | grep '^batch=' | sed 's/.*total_s=\([0-9.]*\).*/\1/')
    echo "r$r $n $v opened $t"
  done; done
done
