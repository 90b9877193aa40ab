#!/bin/bash
# The session's closing measurements at one commit, one after the other: the incremental targets
# (4 rounds), two cosine pairs against hnswlib, and a 500k search with -Xmx256m.
cd /work/main
OUT=${OUT:-/tmp/s20/final}; mkdir -p $OUT
echo "== incremental $(date -u +%T) $(git rev-parse --short HEAD)" >> $OUT/final.log
bash scripts/incremental.sh 4 > $OUT/incremental.out 2>&1
C=data/fashion-mnist-cosine; H=quiver-bench/peers/build/hnswlib_driver; EF=10,20,40,80,120,200,400
for r in 1 2; do
  echo "== cosine hnswlib round $r $(date -u +%T)" >> $OUT/final.log
  $H --data $C --space cosine --M 16 --efc 200 --threads 2 --ef $EF --runs 3 >> $OUT/cosine-hnswlib.csv 2>>$OUT/final.log
  rm -rf $OUT/cdb
  echo "== cosine quiver build round $r $(date -u +%T)" >> $OUT/final.log
  ./quiver bench --distance cosine --algo hnsw --m 16 --ef-construction 200 --threads 2 --db $OUT/cdb \
    --base $C/base.fvecs --queries $C/queries.fvecs --truth $C/truth.ivecs --sweep ef=$EF --runs 3 2>>$OUT/final.log >> $OUT/cosine-quiver.csv
  echo "== cosine quiver reuse round $r $(date -u +%T)" >> $OUT/final.log
  ./quiver bench --distance cosine --algo hnsw --db $OUT/cdb --base $C/base.fvecs --queries $C/queries.fvecs \
    --truth $C/truth.ivecs --sweep ef=$EF --runs 3 2>>$OUT/final.log | sed 's/^hnsw,/hnsw-reuse,/' >> $OUT/cosine-quiver.csv
done
rm -rf $OUT/cdb
echo "== search 500k -Xmx256m $(date -u +%T)" >> $OUT/final.log
rm -rf build/bench/incremental/scopy; cp -rL build/bench/incremental/base-500000 build/bench/incremental/scopy; sync
J=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java
$J --add-modules=jdk.incubator.vector --enable-native-access=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED \
  --add-opens=java.base/sun.nio.ch=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow -Xmx256m \
  -cp quiver-bench/target/quiver-bench.jar io.quiver.bench.IncrementalBenchmark search --db build/bench/incremental/scopy \
  --queries 2000 --ef 64 > $OUT/search-500k-xmx256m.out 2>>$OUT/final.log
rm -rf build/bench/incremental/scopy
echo "== done $(date -u +%T)" >> $OUT/final.log
