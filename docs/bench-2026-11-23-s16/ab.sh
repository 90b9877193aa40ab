#!/bin/bash
# A/B of 8-batch insert processes: $1 = rounds, $2 = log name, rest = jar names (dirs /tmp/qb<name>)
r=$1; name=$2; shift 2
for i in $(seq $r); do for n in 500000 50000; do for j in "$@"; do
  echo "== $j $n $i $(date -u +%H:%M:%S)" >> /tmp/s16/ab/$name.log
  bash /work/main/docs/bench-2026-11-23-s14/run1.sh /tmp/qb$j/quiver-bench/target/quiver-bench.jar $n 8 >> /tmp/s16/ab/$name.log
done; done; done
