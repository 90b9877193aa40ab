#!/bin/bash
# one insert process: $1 = jar dir, $2 = n, $3 = batches, rest = extra JVM args
J=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java
F="--add-modules=jdk.incubator.vector --enable-native-access=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED --add-opens=java.base/sun.nio.ch=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow"
out=/work/main/build/bench/incremental
jar=$1; n=$2; b=$3; shift 3
rm -rf $out/copy; cp -rL $out/base-$n $out/copy; sync
$J $F -Xmx1g "$@" -cp $jar io.quiver.bench.IncrementalBenchmark insert --db $out/copy --insert 1000 --batches $b 2>&1 | grep -v WARNING
rm -rf $out/copy
