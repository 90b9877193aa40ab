#!/bin/bash
# Fashion-MNIST hnsw build (2 threads) + ef 20/40 sweep, interleaved jars: $1 rounds, then jar names
J=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java
F="--add-modules=jdk.incubator.vector --enable-native-access=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED --add-opens=java.base/sun.nio.ch=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow"
d=/work/main/data/fashion-mnist
r=$1; shift
for i in $(seq $r); do for j in "$@"; do
  rm -rf /tmp/s15/fmdb
  echo "$j $i $($J $F -jar /tmp/s15/jars/cli-$j.jar bench -q --db /tmp/s15/fmdb --base $d/base.fvecs --queries $d/queries.fvecs --truth $d/truth.ivecs --distance euclidean --algo hnsw --m 16 --ef-construction 200 --threads 2 --sweep ef=20,40 2>&1 | grep -v WARNING | tr '\n' ' ')"
done; done
rm -rf /tmp/s15/fmdb
