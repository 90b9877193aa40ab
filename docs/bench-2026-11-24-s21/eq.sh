#!/bin/bash
# eq.sh jarA jarB : same store bytes with 1 thread? full build of 8000 768-d + 3 incremental batches of 500
J=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java
F="--add-modules=jdk.incubator.vector --enable-native-access=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED --add-opens=java.base/sun.nio.ch=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow -Xmx1g"
for jar in "$@"; do
  rm -rf /tmp/s21/eqdb; 
  $J $F -cp $jar io.quiver.bench.IncrementalBenchmark build --db /tmp/s21/eqdb --base 8000 --dims 768 --threads 1 >/dev/null 2>&1
  b=$(mdb_dump -a /tmp/s21/eqdb | md5sum | cut -c1-32)
  $J $F -cp $jar io.quiver.bench.IncrementalBenchmark insert --db /tmp/s21/eqdb --insert 500 --batches 3 --threads 1 >/dev/null 2>&1
  echo "$(basename $jar) base $b after-inserts $(mdb_dump -a /tmp/s21/eqdb | md5sum | cut -c1-32)"
done
