#!/bin/bash
# perf of a fresh JVM's first batch; window printed by the bench (qbP)
J=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java
F="--add-modules=jdk.incubator.vector --enable-native-access=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED --add-opens=java.base/sun.nio.ch=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow"
b=${1:-500k}
rm -rf /tmp/ins-copy; cp -r /tmp/n$b-base /tmp/ins-copy; sync
cd /tmp/s12
perf record -k mono -F 2999 -g -o /tmp/s12/perff-$b.data -- $J $F -Xmx1g -XX:+PreserveFramePointer -XX:+UnlockDiagnosticVMOptions -XX:+DumpPerfMapAtExit -cp /tmp/qbP/quiver-bench/target/quiver-bench.jar io.quiver.bench.IncrementalBenchmark insert --db /tmp/ins-copy --insert 1000 --batches 1 2>&1 | grep -v WARN | egrep 'window|batch=|inserting|writing links'
