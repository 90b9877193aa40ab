#!/usr/bin/env bash
# usage: prof.sh N tag  -> JFR of one 8-batch insert process at base N
set -e
cd /work/main
n=$1; tag=$2
out=build/bench/incremental
rm -rf $out/pcopy; cp -rL $out/base-$n $out/pcopy; sync
J=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java
$J --add-modules=jdk.incubator.vector --enable-native-access=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED --add-opens=java.base/sun.nio.ch=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow -Xmx1g \
  -XX:StartFlightRecording=filename=/tmp/s19/$tag-$n.jfr,settings=profile ${EXTRA:-} \
  -cp quiver-bench/target/quiver-bench.jar io.quiver.bench.IncrementalBenchmark insert --db $out/pcopy --insert 1000 --batches ${B:-8} 2>/dev/null | grep -v '^\s*$' > /tmp/s19/$tag-$n.out
rm -rf $out/pcopy
grep '^batch=' /tmp/s19/$tag-$n.out
