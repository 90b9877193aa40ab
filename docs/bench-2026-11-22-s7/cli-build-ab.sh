#!/bin/bash
# 'quiver import' of 1,000 new vectors into a fresh synced copy of the 500k base, then
# 'quiver build --json' in a new process: checkout A then checkout B, interleaved, ROUNDS rounds.
# Env: QA, QB (checkouts with their jars built), NEW (the vectors, from ExportBatch).
for r in $(seq 1 ${ROUNDS:-3}); do for v in A B; do
  if [ $v = A ]; then Q=$QA; else Q=$QB; fi
  rm -rf /tmp/ins-copy; cp -r /tmp/n500k-base /tmp/ins-copy; sync
  $Q/quiver import -q --db /tmp/ins-copy --first-id 500000 ${NEW:-/tmp/s7/new500k.fvecs}
  echo "== $v round $r $(date -u +%H:%M:%S)"
  /usr/bin/time -f "process_wall_s=%e" $Q/quiver build -q --json --db /tmp/ins-copy --algo hnsw 2>&1
done; done
