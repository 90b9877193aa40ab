#!/bin/bash
# scale.sh: HNSW search at 500k x 768 (the incremental benchmark's clustered base), Quiver against
# hnswlib, m 16 / efConstruction 100 (the base's parameters), 1 query thread, k 10.
# Data: base = the first 500,000 vectors of `IncrementalBenchmark export`, queries = the next 1,000,
# truth = `quiver truth --k 100`; all in $D (see README.md in this folder for the commands).
# Quiver searches a synced copy of build/bench/incremental/base-500000 (bench reuses it: build_s 0).
# hnswlib builds once with 2 threads (--keep-index) and then searches its saved index.
set -euo pipefail
cd /work/main
D=${D:-/tmp/s22/scale}; O=${O:-/tmp/s22/scale/out}; ROUNDS=${ROUNDS:-2}; DB=${DB:-$D/db}  # DB: another built copy
EF=${EF:-10,20,40,80,120,200,400}
mkdir -p "$O" "$D/hnswlib-index"
[ -d "$DB" ] || { cp -rL build/bench/incremental/base-500000 "$DB"; sync; }
H=quiver-bench/peers/build/hnswlib_driver
for r in $(seq "$ROUNDS"); do
  $H --data "$D" --space l2 --M 16 --efc 100 --threads 2 --ef "$EF" --runs 3 --index-dir "$D/hnswlib-index" --keep-index \
     > "$O/hnswlib-$r.csv" 2> "$O/hnswlib-$r.log"
  ./quiver bench --db "$DB" --base "$D/base.fvecs" --queries "$D/queries.fvecs" --truth "$D/truth.ivecs" \
     --distance euclidean --algo hnsw --k 10 --sweep "ef=$EF" --runs 3 > "$O/quiver-$r.csv" 2> "$O/quiver-$r.log"
done
