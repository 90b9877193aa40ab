#!/bin/bash
# one.sh n batches [jar] [extra java opts...]: one insert process into a fresh synced copy of base-n
n=$1; b=$2; jar=${3:-quiver-bench/target/quiver-bench.jar}; shift 3
out=build/bench/incremental
rm -rf $out/copy; cp -rL $out/base-$n $out/copy; sync
/usr/lib/jvm/temurin-25-jdk-amd64/bin/java "$@" --add-modules=jdk.incubator.vector --enable-native-access=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED --add-opens=java.base/sun.nio.ch=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow -Xmx1g -cp $jar io.quiver.bench.IncrementalBenchmark insert --db $out/copy --insert 1000 --batches $b 2>/dev/null
