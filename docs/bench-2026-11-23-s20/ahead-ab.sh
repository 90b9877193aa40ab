#!/bin/bash
# Re-ranking with the bound: vectors touched in blocks of 8 (cba847d, "blocked") against each touched
# 8 candidates ahead of its measurement ("ahead"), on the bounded indexes of rerank-ab.sh (Fashion-MNIST
# cosine) and search768.sh (768-d synthetic), processes alternating.
J=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java
F="--add-modules=jdk.incubator.vector --enable-native-access=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED --add-opens=java.base/sun.nio.ch=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow"
C=data/fashion-mnist-cosine
for r in 1 2; do for X in blocked ahead; do
  $J $F -jar /tmp/s20/$X-cli.jar bench -q --distance cosine --algo hnsw --db /tmp/s20/rr/db-new --base $C/base.fvecs --queries $C/queries.fvecs \
    --truth $C/truth.ivecs --sweep ef=10,20,40,80,200,400 --runs 3 2>/dev/null | grep -v '^algo' | sed "s/^hnsw,/$X,/"
  for ef in 64 200; do
    echo "$X,768d,ef=$ef,$($J $F -Xmx256m -cp /tmp/s20/$X-bench.jar io.quiver.bench.IncrementalBenchmark search --db /tmp/s20/s768/new --queries 2000 --ef $ef 2>/dev/null | head -1)"
  done
done; done
