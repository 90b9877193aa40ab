#!/bin/bash
J=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java
F="--add-modules=jdk.incubator.vector --enable-native-access=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED --add-opens=java.base/sun.nio.ch=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow"
b=$1; X=${X:-H}
rm -rf /tmp/ins-copy; cp -r /tmp/n$b-base /tmp/ins-copy; sync
strace -f -T -e trace=pwrite64,pwritev,writev,fdatasync,fsync,msync -o /tmp/s10/strace-$b.txt $J $F -Xmx1g -cp /tmp/qb$X/quiver-bench/target/quiver-bench.jar io.quiver.bench.IncrementalBenchmark insert --db /tmp/ins-copy --insert 1000 --batches 8 2>&1 | grep -E "^batch="
