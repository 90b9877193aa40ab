#!/bin/bash
# Paired Annoy / Quiver forest runs at 100 trees in the low-recall band, Fashion-MNIST, 2 build threads.
D=/work/main/data/fashion-mnist
Q=${Q:-/tmp/qb3}
O=${O:-/tmp/s4/f}
DB=${DB:-/tmp/s4/fdb}
mkdir -p $O
for r in $(seq 1 ${ROUNDS:-2}); do
  echo "== pair $r $(date -u +%H:%M:%S) commit $(git -C /work/main rev-parse --short HEAD)" >> $O/forest.log
  /work/main/quiver-bench/peers/build/annoy_driver --data $D --trees 100 --search-k 200,300,400,500,600 --threads 2 --runs 3 >> $O/forest-annoy.csv 2>>$O/forest.log
  rm -rf $DB
  $Q/quiver bench --distance euclidean --algo forest --trees 100 --threads 2 --db $DB --base $D/base.fvecs --queries $D/queries.fvecs --truth $D/truth.ivecs --sweep search-k=500,600,700,800,1000 --runs 3 2>>$O/forest.log | grep -v '^algo' >> $O/forest-quiver.csv
done
