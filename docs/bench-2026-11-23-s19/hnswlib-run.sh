#!/bin/bash
cd /tmp/hnswlib-incr
for r in 1 2 3 4; do
  for n in 50000 500000; do
    sync
    echo "=== round $r N=$n $(date +%T) load=$(cut -d' ' -f1 /proc/loadavg)"
    ./driver insert $n
  done
done
