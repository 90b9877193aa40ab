#!/bin/bash
# interleaved quiver bench on fashion-mnist-cosine: A2 (44809df) vs H (hybrid build)
J=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java
F="--add-modules=jdk.incubator.vector --enable-native-access=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED --add-opens=java.base/sun.nio.ch=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow"
D=/work/main/data/${DS:-fashion-mnist-cosine}
for r in $(seq ${1:-2}); do for v in ${ORDER:-A2 H}; do
  echo "=== $v round $r $(date -u +%T)"
  $J $F -jar /tmp/ab/$v-cli.jar bench --base $D/base.fvecs --queries $D/queries.fvecs --truth $D/truth.ivecs --distance ${DIST:-cosine} --algo hnsw --m 16 --ef-construction 200 --threads 2 --sweep ef=10,20,40,80,120,200 --runs 1 2>&1 | grep -v WARNING
done; done
