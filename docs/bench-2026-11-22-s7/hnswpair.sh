#!/bin/bash
# Paired hnswlib / Quiver HNSW runs on Fashion-MNIST (Euclidean), m 16, efc 200, 2 threads: per
# round, hnswlib (median of 3 passes per ef), then a Quiver build with 3 passes per ef, then a
# second Quiver process reusing that index. Env: Q (a checkout with the jars built), OUT, ROUNDS.
D=/work/main/data/fashion-mnist
Q=${Q:-/work/main}
OUT=${OUT:-/tmp/s7/hnsw}
mkdir -p $OUT
for r in $(seq 1 ${ROUNDS:-2}); do
  echo "== pair $r $(date -u +%H:%M:%S) commit $(git -C /work/main rev-parse --short HEAD)" >&2
  /work/main/quiver-bench/peers/build/hnswlib_driver --data $D --space l2 --M 16 --efc 200 --threads 2 --ef 10,20,40,80 --runs 3 >> $OUT/hnsw-hnswlib.csv 2>>$OUT/hnsw.log
  rm -rf $OUT/hdb
  $Q/quiver bench --distance euclidean --algo hnsw --m 16 --ef-construction 200 --threads 2 --db $OUT/hdb --base $D/base.fvecs --queries $D/queries.fvecs --truth $D/truth.ivecs --sweep ef=10,20,40,80 --runs 3 2>>$OUT/hnsw.log | grep -v '^algo' >> $OUT/hnsw-quiver.csv
  $Q/quiver bench --distance euclidean --algo hnsw --db $OUT/hdb --base $D/base.fvecs --queries $D/queries.fvecs --truth $D/truth.ivecs --sweep ef=10,20,40,80 --runs 3 2>>$OUT/hnsw.log | grep -v '^algo' | sed 's/^hnsw/hnsw-reuse/' >> $OUT/hnsw-quiver.csv
done
