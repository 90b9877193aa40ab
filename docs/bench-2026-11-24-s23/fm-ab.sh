#!/bin/bash
# fm-ab.sh: Fashion-MNIST cosine, one HNSW graph (m 16, efConstruction 200) built at the new code:
# resid-cli.jar on it (residual headers) against head-cli.jar on a copy with the headers the old
# code writes (LegacyHeaders.java), quiver bench ef 10-400, 3 passes, ROUNDS rounds interleaved.
J=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java
F="--add-modules=jdk.incubator.vector --enable-native-access=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED --add-opens=java.base/sun.nio.ch=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow"
D=/work/main/data/fashion-mnist-cosine; O=/tmp/s23/fmout; mkdir -p $O
for r in $(seq ${ROUNDS:-2}); do
  for p in ${FMPAIRS:-resid:fmc head:fmcL}; do
    jar=${p%%:*}; db=${p#*:}
    $J $F -jar /tmp/s23/$jar-cli.jar bench --db /tmp/s23/$db --base $D/base.fvecs --queries $D/queries.fvecs --truth $D/truth.ivecs \
      --distance cosine --algo hnsw --k 10 --sweep ef=10,20,40,80,120,200,400 --runs 3 > $O/$jar-$db-$r.csv 2> $O/$jar-$db-$r.log
  done
done
