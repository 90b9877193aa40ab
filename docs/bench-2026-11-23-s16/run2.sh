#!/bin/bash
# $1 jar, $2 n, $3 copies, $4 seed, $5 threads, $6 copied points
Q="/usr/lib/jvm/temurin-25-jdk-amd64/bin/java --add-modules=jdk.incubator.vector --enable-native-access=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED --add-opens=java.base/sun.nio.ch=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow -jar $1"
d=/tmp/s16/dup/v-$2-$3-$4-${6:-1}; mkdir -p $d; cd $d
python3 /tmp/s16/dup/gen2.py $2 $3 $4 ${6:-1}
rm -rf db; $Q import -q --db db --distance euclidean base.npy >/dev/null 2>&1; $Q build -q --db db --algo hnsw --threads ${5:-1} >/dev/null 2>&1
echo -n "n=$2 copies=$3x${6:-1} seed=$4 threads=${5:-1}: "
for ef in 10 40 80; do $Q search -q --db db --queries queries.npy --k 10 --ef $ef 2>/dev/null > r$ef.txt; echo -n "ef=$ef "; python3 /tmp/s16/dup/recall.py r$ef.txt; done
$Q check -q --db db 2>&1 | grep -v WARN | tail -1
