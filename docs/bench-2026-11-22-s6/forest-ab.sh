#!/bin/bash
# Interleaved A/B of forest builds and searches (Fashion-MNIST, Euclidean, 2 build threads, fresh
# `quiver bench` each time): A = the code before int8 planes, B = after. Env: QA, QB (checkouts
# with `mvn install` done), TREES, ROUNDS, SWEEP, OUT (a CSV; the log goes beside it).
D=/work/main/data/fashion-mnist
OUT=${OUT:-/tmp/s6/forest-ab.csv}
for r in $(seq 1 ${ROUNDS:-3}); do
  for v in A B; do
    if [ $v = A ]; then Q=$QA; else Q=$QB; fi
    echo "== round $r $v $(date -u +%H:%M:%S) $(git -C $Q rev-parse --short HEAD 2>/dev/null)" >> ${OUT%.csv}.log
    rm -rf /tmp/s6/abdb
    $Q/quiver bench --distance euclidean --algo forest --trees ${TREES:-100} --threads 2 --db /tmp/s6/abdb --base $D/base.fvecs \
      --queries $D/queries.fvecs --truth $D/truth.ivecs --sweep search-k=${SWEEP:-500,1000} --runs 3 2>>${OUT%.csv}.log \
      | grep -v '^algo' | sed "s/^/$v,/" >> $OUT
  done
done
