#!/bin/bash
# scale-ab.sh: 500k x 768 searches, per round: hnswlib (its driver builds the index again each
# round, 2 threads, m 16, efConstruction 100, then searches it), then quiver bench with
# each (jar, db) pair of PAIRS, ef 10-400, 3 timed passes per ef, 1 query thread, k 10.
set -uo pipefail
D=${D:-/tmp/s22/scale}; O=${O:-/tmp/s23/out}; ROUNDS=${ROUNDS:-2}
EF=${EF:-10,20,40,80,120,200,400}
PAIRS=${PAIRS:-"resid:/tmp/s23/db3 head:/tmp/s23/db3L resid:/tmp/s23/db3L head:/tmp/s22/scale/db2"}
J=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java
F="--add-modules=jdk.incubator.vector --enable-native-access=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED --add-opens=java.base/sun.nio.ch=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow"
mkdir -p "$O"
# The 06:41-06:47 rounds ran without the read-in of each store below; the scale-final/ rounds (08:14-08:19) with it.
H=/work/main/quiver-bench/peers/build/hnswlib_driver
for r in $(seq "$ROUNDS"); do
  $H --data "$D" --space l2 --M 16 --efc 100 --threads 2 --ef "$EF" --runs 3 --index-dir "$D/hnswlib-index" --keep-index \
     > "$O/hnswlib-$r.csv" 2> "$O/hnswlib-$r.log"
  for p in $PAIRS; do
    cat "${p#*:}/data.mdb" > /dev/null  # read in first: this VM's page cache drops cold pages (kdamond)
    jar=${p%%:*}; db=${p#*:}; tag=$jar-$(basename "$db")
    $J $F -jar /tmp/s23/$jar-cli.jar bench --db "$db" --base "$D/base.fvecs" --queries "$D/queries.fvecs" --truth "$D/truth.ivecs" \
       --distance euclidean --algo hnsw --k 10 --sweep "ef=$EF" --runs 3 > "$O/quiver-$tag-$r.csv" 2> "$O/quiver-$tag-$r.log"
  done
done
