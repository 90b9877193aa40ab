#!/usr/bin/env bash
set -euo pipefail
cd /work/main
out=build/bench/incremental
J=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java
rm -rf $out/copy; cp -rL $out/base-500000 $out/copy; sync
$J --add-modules=jdk.incubator.vector --enable-native-access=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED --add-opens=java.base/sun.nio.ch=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow -Xmx1g -XX:+PrintCompilation -cp ${JAR:-quiver-bench/target/quiver-bench.jar} io.quiver.bench.IncrementalBenchmark insert --db $out/copy --insert 1000 --batches 1 > /tmp/s15/pc-${TAG:-a}.txt 2>/dev/null
rm -rf $out/copy
grep "^batch=" /tmp/s15/pc-${TAG:-a}.txt
