#!/bin/bash
# A/B of the re-ranking bound on Fashion-MNIST cosine (codes that round): the same graph (1-thread
# builds, deterministic) built by the old CLI jar (every code CODE_VERSION: whole beam measured) and
# by the new one (codes within rounding marked CODE_BOUNDED), then searches alternating between them.
J=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java
F="--add-modules=jdk.incubator.vector --enable-native-access=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED --add-opens=java.base/sun.nio.ch=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow"
C=data/fashion-mnist-cosine; OUT=${OUT:-/tmp/s20/rr}; mkdir -p $OUT
args="--distance cosine --algo hnsw --m 16 --ef-construction 200 --base $C/base.fvecs --queries $C/queries.fvecs --truth $C/truth.ivecs"
for X in old new; do
  rm -rf $OUT/db-$X
  echo "== build $X $(date -u +%T)" >> $OUT/rr.log
  $J $F -jar /tmp/s20/$X-cli.jar bench -q $args --threads 1 --db $OUT/db-$X --sweep ef=10 2>>$OUT/rr.log | sed "s/^hnsw,/build-$X,/" >> $OUT/rr.csv
done
for r in 1 2; do for X in old new; do
  echo "== search $X round $r $(date -u +%T)" >> $OUT/rr.log
  $J $F -jar /tmp/s20/$X-cli.jar bench -q $args --db $OUT/db-$X --sweep ef=10,20,40,80,120,200,400 --runs 3 2>>$OUT/rr.log | grep -v '^algo' | sed "s/^hnsw,/$X,/" >> $OUT/rr.csv
done; done
echo "== done $(date -u +%T)" >> $OUT/rr.log
