#!/bin/bash
# Wall time of one-query 'quiver search --item' processes, old checkout A then new checkout B,
# interleaved, ROUNDS rounds. Env: QA, QB (checkouts with their jars built), DB (an HNSW store).
for r in $(seq 1 ${ROUNDS:-8}); do for v in A B; do
  if [ $v = A ]; then Q=$QA; else Q=$QB; fi
  /usr/bin/time -f "$v search_wall_s=%e" $Q/quiver search --db $DB --k 10 --item 5 > /dev/null
done; done
