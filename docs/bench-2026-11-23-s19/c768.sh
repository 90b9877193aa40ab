#!/bin/bash
# quiver bench on 500k x 768 clustered vectors (the incremental benchmark's ids 0..499999; queries: ids 500000..500999)
J=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java
F="--add-modules=jdk.incubator.vector --enable-native-access=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED --add-opens=java.base/sun.nio.ch=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow -Xmx1g"
D=/work/main/build/bench/c768
for v in ${ORDER:-H A2}; do
  echo "=== $v $(date -u +%T)"
  $J $F -jar /tmp/ab/$v-cli.jar bench --base $D/base.fvecs --queries $D/queries.fvecs --truth $D/truth.ivecs --distance euclidean --algo hnsw --m 16 --ef-construction 100 --threads 2 --sweep ef=10,20,40,80,120 --runs 1 2>&1 | grep -v WARNING
done
