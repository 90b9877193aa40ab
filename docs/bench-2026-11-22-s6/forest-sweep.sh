#!/bin/bash
# Paired Annoy / Quiver forest sweeps, Fashion-MNIST, Euclidean, k=10, 2 build threads: for each
# tree count Annoy, then Quiver, back to back. Env: Q (a checkout with `mvn install` done), O (output dir),
# TREES (list), SK (search_k list).
D=/work/main/data/fashion-mnist
Q=${Q:-/work/main}
O=${O:-/tmp/s6/sweep}
SK=${SK:-500,1000,2000,5000,10000}
mkdir -p $O
for t in ${TREES:-10 50 100}; do
  echo "== trees $t $(date -u +%H:%M:%S) commit $(git -C $Q rev-parse --short HEAD 2>/dev/null)" >> $O/sweep.log
  /work/main/quiver-bench/peers/build/annoy_driver --data $D --trees $t --search-k $SK --threads 2 --runs 3 >> $O/annoy.csv 2>>$O/sweep.log
  rm -rf /tmp/s6/sweepdb
  $Q/quiver bench --distance euclidean --algo forest --trees $t --threads 2 --db /tmp/s6/sweepdb --base $D/base.fvecs --queries $D/queries.fvecs \
    --truth $D/truth.ivecs --sweep search-k=$SK --runs 3 2>>$O/sweep.log | grep -v '^algo' >> $O/quiver.csv
done
