#!/bin/bash
# abopts.sh tag distance datadir rounds jar "opts1" "opts2" ...: interleaved builds of one jar with different JVM options
tag=$1; dist=$2; D=$3; R=$4; jar=$5; shift 5
J=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java
F="--add-modules=jdk.incubator.vector --enable-native-access=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED --add-opens=java.base/sun.nio.ch=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow -XX:+UseParallelGC"
for r in $(seq $R); do
 for o in "$@"; do
  rm -rf /tmp/s21/abdb
  line=$($J $F $o -jar $jar bench --distance $dist --algo hnsw --m 16 --ef-construction 200 --threads 2 --db /tmp/s21/abdb \
    --base $D/base.fvecs --queries $D/queries.fvecs --truth $D/truth.ivecs --sweep ef=40,80 --runs 1 2>/dev/null | grep '^hnsw' | tr '\n' ' ')
  echo "$tag $r [$o] $line" | awk '{split($(NF-1),a,","); split($NF,b,","); $NF=""; $(NF-1)=""; print $0, "build", a[4], "ef40", a[6], a[7], "ef80", b[6], b[7]}'
 done
done
