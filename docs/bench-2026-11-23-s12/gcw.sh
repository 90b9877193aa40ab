#!/bin/bash
J=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java
F="--add-modules=jdk.incubator.vector --enable-native-access=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED --add-opens=java.base/sun.nio.ch=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow"
b=${1:-500k}; shift
rm -rf /tmp/ins-copy /tmp/ins-warm; cp -r /tmp/n$b-base /tmp/ins-copy; cp -r /tmp/n50k-base /tmp/ins-warm; sync
$J $F -Xmx1g "$@" -cp ${JAR:-/tmp/qbP/quiver-bench/target/quiver-bench.jar} io.quiver.bench.IncrementalBenchmark insert --db /tmp/ins-copy --insert 1000 --batches ${BATCHES:-1} --warm-up-db /tmp/ins-warm --warm-up-batches 3 2>&1 | grep -v WARN | egrep 'warm_up_batches|window|batch=|inserting|writing links|gc\b|GC\(|peak'
