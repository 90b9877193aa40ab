#!/bin/bash
# usage: abbuild.sh tag distance datadir rounds jarA jarB
tag=$1; dist=$2; D=$3; R=$4; shift 4
J=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java
F="--add-modules=jdk.incubator.vector --enable-native-access=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED --add-opens=java.base/sun.nio.ch=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow -XX:+UseParallelGC"
for r in $(seq $R); do
 for jar in "$@"; do
  rm -rf /tmp/s21/abdb
  line=$($J $F -jar $jar bench --distance $dist --algo hnsw --m 16 --ef-construction 200 --threads 2 --db /tmp/s21/abdb \
    --base $D/base.fvecs --queries $D/queries.fvecs --truth $D/truth.ivecs --sweep ef=40,80 --runs 1 2>/dev/null | grep '^hnsw' | tr '\n' ' ')
  echo "$tag $r $(basename $jar) $line"
 done
done
