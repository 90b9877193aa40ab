#!/bin/bash
# The just-opened regime (warmed by 3 batches into a copy of the 50k base), head against the scratch
# jar that writes no old node's list; run1.sh does one such process.
for r in $(seq ${1:-2}); do for n in 50000 500000; do
  echo "$n base: $(bash /tmp/run1.sh $n /work/main/quiver-bench/target/quiver-bench.jar 1 opened | grep -E '^batch=|inserting|writing' | tr '\n' ' ')"
  echo "$n skip: $(JOPTS=-Dquiver.scratch.skipOld=true bash /tmp/run1.sh $n /tmp/qbS/quiver-bench/target/quiver-bench.jar 1 opened | grep -E '^batch=|inserting|writing' | tr '\n' ' ')"
done; done
