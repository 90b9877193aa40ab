#!/bin/bash
# Interleaved A/B of a Fashion-MNIST cosine HNSW build from scratch (m 16, efConstruction 200, 2
# threads) and its recall/q/s sweep, one fresh build per run. Env: JARS="H B" (copies at /tmp/qbX), ROUNDS.
cos=/work/main/data/fashion-mnist-cosine
for r in $(seq ${ROUNDS:-3}); do for X in $JARS; do
  rm -rf /tmp/cos-db
  echo "== $X round $r $(date -u +%H:%M:%S)"
  /tmp/qb$X/quiver bench -q --base $cos/base.fvecs --queries $cos/queries.fvecs --truth $cos/truth.ivecs \
     --distance cosine --algo hnsw --m 16 --ef-construction 200 --threads 2 --db /tmp/cos-db --sweep ef=10,20,40,80 2>&1 | grep -v WARN
done; done
