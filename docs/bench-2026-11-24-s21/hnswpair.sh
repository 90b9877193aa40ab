#!/bin/bash
# Paired hnswlib / Quiver HNSW runs on Fashion-MNIST, m 16, efConstruction 200 (as the seventh
# session's hnswpair.sh, plus ef 120-400, the cosine copy and 1-thread builds). Per Euclidean round:
# hnswlib with 2 build threads (median of 3 passes per ef), a Quiver build with 2 threads (3 passes),
# a second Quiver process reusing that index (3 passes). Then one cosine round the same way, then
# 1-thread builds of both (Euclidean, ef 40 only). Env: OUT, ROUNDS. Run from the repository root.
D=data/fashion-mnist; C=data/fashion-mnist-cosine
H=quiver-bench/peers/build/hnswlib_driver
OUT=${OUT:-/tmp/s20/hnsw}; mkdir -p $OUT
EF=10,20,40,80,120,200,400
pair() { # space data distance tag threads ef runs
  echo "== $4 hnswlib threads $5 $(date -u +%H:%M:%S) commit $(git rev-parse --short HEAD)" >>$OUT/hnsw.log
  $H --data $2 --space $1 --M 16 --efc 200 --threads $5 --ef $6 --runs $7 >>$OUT/$4-hnswlib.csv 2>>$OUT/hnsw.log
  rm -rf $OUT/hdb
  echo "== $4 quiver build threads $5 $(date -u +%H:%M:%S)" >>$OUT/hnsw.log
  ./quiver bench --distance $3 --algo hnsw --m 16 --ef-construction 200 --threads $5 --db $OUT/hdb \
    --base $2/base.fvecs --queries $2/queries.fvecs --truth $2/truth.ivecs --sweep ef=$6 --runs $7 2>>$OUT/hnsw.log >>$OUT/$4-quiver.csv
  if [ "$5" = 2 ]; then
    echo "== $4 quiver reuse $(date -u +%H:%M:%S)" >>$OUT/hnsw.log
    ./quiver bench --distance $3 --algo hnsw --db $OUT/hdb --base $2/base.fvecs --queries $2/queries.fvecs \
      --truth $2/truth.ivecs --sweep ef=$6 --runs $7 2>>$OUT/hnsw.log | sed 's/^hnsw,/hnsw-reuse,/' >>$OUT/$4-quiver.csv
  fi
  du -sb $OUT/hdb >>$OUT/hnsw.log
}
for r in $(seq ${ROUNDS:-2}); do pair l2 $D euclidean euclidean 2 $EF 3; done
pair cosine $C cosine cosine 2 $EF 3
pair l2 $D euclidean euclidean-1thread 1 40 1
echo "== done $(date -u +%H:%M:%S)" >>$OUT/hnsw.log
rm -rf $OUT/hdb
