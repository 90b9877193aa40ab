#!/bin/bash
# absearch.sh tag distance datadir db rounds jar...: interleaved search-only runs on one built index
tag=$1; dist=$2; D=$3; db=$4; R=$5; shift 5
J=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java
F="--add-modules=jdk.incubator.vector --enable-native-access=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED --add-opens=java.base/sun.nio.ch=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow -XX:+UseParallelGC"
for r in $(seq $R); do
 for jar in "$@"; do
  $J $F -jar $jar bench --distance $dist --algo hnsw --db $db --base $D/base.fvecs --queries $D/queries.fvecs --truth $D/truth.ivecs --sweep ef=20,40,80,200 --runs 3 2>/dev/null | grep '^hnsw' | awk -F, -v t=$tag -v r=$r -v j=$(basename $jar) '{printf "%s %s %s %s recall %s qps %s\n", t, r, j, $3, $6, $7}'
 done
done
