#!/usr/bin/env bash
# Quiver's side of docs/BENCHMARKS.md: forest and HNSW on Fashion-MNIST (recall@10 vs queries/s,
# 1 query thread, build time with 2 threads (and 1 for HNSW), index bytes), then the JMH kernels.
# Prerequisite: bash scripts/datasets.sh. Output: CSV rows on stdout and in build/bench/*.csv.
#   bash scripts/bench.sh [forest|hnsw|kernels|all]
set -euo pipefail
cd "$(dirname "$0")/.."
what="${1:-all}"
data=data/fashion-mnist
out=build/bench
mkdir -p "$out"
[ -f "$data/base.fvecs" ] || { echo "run scripts/datasets.sh first" >&2; exit 1; }
q() { ./quiver "$@"; }

if [ "$what" = forest ] || [ "$what" = all ]; then
    for trees in 10 50 100; do
        rm -rf "$out/forest-db"
        q bench -q --base $data/base.fvecs --queries $data/queries.fvecs --truth $data/truth.ivecs \
            --distance euclidean --algo forest --trees $trees --threads 2 --db "$out/forest-db" \
            --sweep search-k=500,1000,2000,5000,10000,20000 | tee "$out/forest-$trees.csv"
    done
    rm -rf "$out/forest-db"
fi

if [ "$what" = hnsw ] || [ "$what" = all ]; then
    for threads in 1 2; do
        rm -rf "$out/hnsw-db"
        q bench -q --base $data/base.fvecs --queries $data/queries.fvecs --truth $data/truth.ivecs \
            --distance euclidean --algo hnsw --m 16 --ef-construction 200 --threads $threads --db "$out/hnsw-db" \
            --sweep ef=10,20,40,80,120,200,400 | tee "$out/hnsw-threads$threads.csv"
    done
    rm -rf "$out/hnsw-db"
    cos=data/fashion-mnist-cosine
    q bench -q --base $cos/base.fvecs --queries $cos/queries.fvecs --truth $cos/truth.ivecs \
        --distance cosine --algo hnsw --m 16 --ef-construction 200 --threads 2 \
        --sweep ef=10,20,40,80,120,200,400 | tee "$out/hnsw-cosine.csv"
fi

if [ "$what" = kernels ] || [ "$what" = all ]; then
    [ -f quiver-bench/target/quiver-bench.jar ] || mvn -q -pl quiver-core,quiver-bench -am package -DskipTests
    java_home=$(ls -d /usr/lib/jvm/temurin-25* | head -n1)
    "$java_home/bin/java" -jar quiver-bench/target/quiver-bench.jar KernelBenchmark -rf csv -rff "$out/kernels.csv"
fi
