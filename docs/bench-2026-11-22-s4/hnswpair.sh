#!/bin/bash
# Paired hnswlib / Quiver HNSW runs on Fashion-MNIST (Euclidean), m 16, efc 200, 2 threads.
D=/work/main/data/fashion-mnist
Q=${Q:-/tmp/qb1}
for r in $(seq 1 ${ROUNDS:-3}); do
  echo "== pair $r $(date -u +%H:%M:%S) commit $(git -C /work/main rev-parse --short HEAD)" >&2
  /work/main/quiver-bench/peers/build/hnswlib_driver --data $D --space l2 --M 16 --efc 200 --threads 2 --ef 10,20,40,80 --runs 3 >> /tmp/s4/r2/hnsw-hnswlib.csv 2>>/tmp/s4/r2/hnsw.log
  rm -rf /tmp/s4/hdb
  $Q/quiver bench --distance euclidean --algo hnsw --m 16 --ef-construction 200 --threads 2 --db /tmp/s4/hdb --base $D/base.fvecs --queries $D/queries.fvecs --truth $D/truth.ivecs --sweep ef=10,20,40,80 --runs 3 2>>/tmp/s4/r2/hnsw.log | grep -v '^algo' >> /tmp/s4/r2/hnsw-quiver.csv
  $Q/quiver bench --distance euclidean --algo hnsw --db /tmp/s4/hdb --base $D/base.fvecs --queries $D/queries.fvecs --truth $D/truth.ivecs --sweep ef=10,20,40,80 --runs 3 2>>/tmp/s4/r2/hnsw.log | grep -v '^algo' | sed 's/^hnsw/hnsw-reuse/' >> /tmp/s4/r2/hnsw-quiver.csv
done
