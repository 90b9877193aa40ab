#!/bin/bash
# Interleaved A/B: head jar against the scratch jar that skips old nodes' list writes
# (skip-old-writes.diff.txt, -Dquiver.scratch.skipOld=true); 8-batch processes, runS.sh.
for r in $(seq ${1:-2}); do for n in 50000 500000; do
  echo "$n base: $(bash /tmp/runS.sh $n /work/main/quiver-bench/target/quiver-bench.jar '')"
  echo "$n skip: $(bash /tmp/runS.sh $n /tmp/qbS/quiver-bench/target/quiver-bench.jar -Dquiver.scratch.skipOld=true)"
done; done
