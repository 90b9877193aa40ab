#!/bin/bash
# The re-ranking bound on 768-d float data: the 50k incremental base (codes written before header 3,
# so every search re-ranks its whole beam) against a base of the same vectors built by the current
# jar (header 3 codes), searches alternating, -Xmx256m, 2,000 queries at ef 64 and 200.
cd /work/main
J=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java
F="--add-modules=jdk.incubator.vector --enable-native-access=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED --add-opens=java.base/sun.nio.ch=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow"
B="$J $F -cp quiver-bench/target/quiver-bench.jar io.quiver.bench.IncrementalBenchmark"
O=${OUT:-/tmp/s20/s768}; mkdir -p $O
rm -rf $O/new; $B build --db $O/new --base 50000 --dims 768 > $O/build-new.log 2>/dev/null
rm -rf $O/old; cp -r build/bench/incremental/base-50000 $O/old; sync
for r in 1 2 3; do for X in old new; do for ef in 64 200; do
  echo "$X round $r ef $ef $($B search --db $O/$X --queries 2000 --ef $ef 2>/dev/null | head -1)"
done; done; done
