#!/bin/bash
# opened.sh n [jar]: warmed JVM (3 batches into a copy of the 50k base), then 2 batches into a just-opened copy of base-n
n=$1; jar=${2:-quiver-bench/target/quiver-bench.jar}
out=build/bench/incremental; rm -rf $out/copy $out/warm; cp -rL $out/base-$n $out/copy; cp -rL $out/base-50000 $out/warm; sync
/usr/lib/jvm/temurin-25-jdk-amd64/bin/java ${JOPTS:-} --add-modules=jdk.incubator.vector --enable-native-access=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED --add-opens=java.base/sun.nio.ch=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow -Xmx1g -cp $jar io.quiver.bench.IncrementalBenchmark insert --db $out/copy --insert 1000 --batches 2 --warm-up-db $out/warm --warm-up-batches 3 2>/dev/null | grep -v "^warm\|^max" | sed -n '/base=500000\|base=50000 /,$p' | grep -E "^batch|inserting|writing links"
