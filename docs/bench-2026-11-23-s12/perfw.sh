#!/bin/bash
# perf of a warmed JVM's first batch into a just-opened index; window printed by the bench
J=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java
F="--add-modules=jdk.incubator.vector --enable-native-access=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED --add-opens=java.base/sun.nio.ch=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow"
b=${1:-500k}
rm -rf /tmp/ins-copy /tmp/ins-warm; cp -r /tmp/n$b-base /tmp/ins-copy; cp -r /tmp/n50k-base /tmp/ins-warm; sync
cd /tmp/s12
perf record -k mono -F 4999 -g -o /tmp/s12/perf-$b.data -- $J $F -Xmx1g -XX:+PreserveFramePointer -XX:+UnlockDiagnosticVMOptions -XX:+DumpPerfMapAtExit -cp /tmp/qbP/quiver-bench/target/quiver-bench.jar io.quiver.bench.IncrementalBenchmark insert --db /tmp/ins-copy --insert 1000 --batches 1 --warm-up-db /tmp/ins-warm --warm-up-batches 3 2>&1 | grep -v WARN | sed -n '/warm_up_batches/,$p' | egrep 'window|batch=|inserting|writing links'
