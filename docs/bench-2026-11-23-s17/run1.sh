#!/bin/bash
# usage: run1.sh N JAR [batches] [extra]
out=/work/main/build/bench/incremental
n=$1; jar=$2; b=${3:-8}
J=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java
rm -rf $out/copy $out/warm; cp -rL $out/base-$n $out/copy; cp -rL $out/base-50000 $out/warm; sync
if [ "$4" = opened ]; then
$PRE $J --add-modules=jdk.incubator.vector --enable-native-access=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED --add-opens=java.base/sun.nio.ch=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow $JOPTS -Xmx1g -cp $jar io.quiver.bench.IncrementalBenchmark insert --db $out/copy --insert 1000 --batches 1 --warm-up-db $out/warm --warm-up-batches 3 2>/dev/null | sed -n '/^warm_up_batches/,$p'
else
$PRE $J --add-modules=jdk.incubator.vector --enable-native-access=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED --add-opens=java.base/sun.nio.ch=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow $JOPTS -Xmx1g -cp $jar io.quiver.bench.IncrementalBenchmark insert --db $out/copy --insert 1000 --batches $b 2>/dev/null
fi
