#!/bin/bash
# Same LMDB contents before and after 6b6e5d8: three batches of 1,000 into copies of the 50k base with
# one build thread (deterministic), with the jars of 36acdb0 (/tmp/qbH) and 6b6e5d8 (/tmp/qbM); then
# a checksum of mdb_dump -a of each store.
J=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java
F="--add-modules=jdk.incubator.vector --enable-native-access=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED --add-opens=java.base/sun.nio.ch=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow"
for X in H M; do
  rm -rf /tmp/eq-$X; cp -r /tmp/n50k-base /tmp/eq-$X
  $J $F -Xmx1g -cp /tmp/qb$X/quiver-bench/target/quiver-bench.jar io.quiver.bench.IncrementalBenchmark insert --db /tmp/eq-$X --insert 1000 --batches 3 --threads 1 2>&1 | grep "^batch="
  echo "$X: $(mdb_dump -a /tmp/eq-$X | md5sum)"
done
