#!/bin/bash
out=/work/main/build/bench/incremental
J=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java
FL="--add-modules=jdk.incubator.vector --enable-native-access=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED --add-opens=java.base/sun.nio.ch=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow"
rm -rf $out/copy; cp -rL $out/base-$1 $out/copy; sync
if [ "$2" = hold ]; then $J $FL -cp /tmp/hold:/work/main/quiver-bench/target/quiver-bench.jar Hold $out/copy 60000 & sleep 1.5; fi
$PRE $J $FL -Xmx1g -cp /work/main/quiver-bench/target/quiver-bench.jar io.quiver.bench.IncrementalBenchmark insert --db $out/copy --insert 1000 --batches 8 2>/dev/null | grep batch= | awk '{print $1, $4, $9, $10}'
kill %1 2>/dev/null; wait 2>/dev/null
ls -la $out/copy/data.mdb
