#!/bin/bash
# The command-line path of an incremental insert: 'quiver import' of 1,000 new vectors (the
# benchmark's own, written by ExportBatch into new50k.fvecs / new500k.fvecs beside this script's
# working directory), then 'quiver build --json' in a fresh process, on a fresh synced copy of
# the base. Interleaved per round: 50k, then 500k. Env: ROUNDS (default 3), Q (the quiver script).
Q=${Q:-./quiver}
for r in $(seq 1 ${ROUNDS:-3}); do for b in 50k 500k; do
  rm -rf /tmp/ins-copy; cp -r /tmp/n$b-base /tmp/ins-copy; sync
  echo "== $b round $r $(date -u +%H:%M:%S)"
  $Q import -q --db /tmp/ins-copy --first-id ${b%k}000 ${NEW_DIR:-/tmp/s7}/new$b.fvecs
  /usr/bin/time -f "process_wall_s=%e" $Q build -q --json --db /tmp/ins-copy --algo hnsw 2>&1
done; done
