#!/bin/bash
# One 8-batch process per jar at one size with JFR compilation events (threshold 0), then C2 time per method.
J=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java
F="--add-modules=jdk.incubator.vector --enable-native-access=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED --add-opens=java.base/sun.nio.ch=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow"
out=/work/main/build/bench/incremental
X=$1; n=${2:-500000}; tag=$3
rm -rf $out/copy; cp -rL $out/base-$n $out/copy; sync
$J $F -Xmx1g "-XX:StartFlightRecording=filename=/tmp/s13/c-$X-$n$tag.jfr,jdk.Compilation#threshold=0ms,jdk.Compilation#enabled=true" -cp /tmp/qb$X/quiver-bench/target/quiver-bench.jar io.quiver.bench.IncrementalBenchmark insert --db $out/copy --insert 1000 --batches 8 2>&1 | grep -E "^batch=|writing links" | sed -E 's/ ms_per_item=[^ ]+ items_per_s=[^ ]+//'
rm -rf $out/copy
/usr/lib/jvm/temurin-25-jdk-amd64/bin/jfr print --events jdk.Compilation /tmp/s13/c-$X-$n$tag.jfr > /tmp/s13/c-$X-$n$tag.txt
python3 /tmp/s13/c2sum.py /tmp/s13/c-$X-$n$tag.txt
