#!/usr/bin/env bash
# 18,000 random 24-d items + 2,000 copies of one vector (an adversarial helper's case, twenty-sixth session).
# Every distinct item is searched with its own vector (k 10, ef 200) and the misses counted; the same
# items without the copies, and in a forest, for comparison. Q = the command to run (default: quiver),
# e.g. Q="./quiver"; WORK = scratch directory.
set -u
cd "${WORK:-/tmp/dupcopies}" && mkdir -p repro && cd repro
python3 -c "
import numpy as np
rng=np.random.default_rng(1)
a=np.vstack([np.tile(rng.standard_normal(24).astype(np.float32),(2000,1)), rng.standard_normal((18000,24)).astype(np.float32)])
np.save('dup_base.npy',a); np.save('dup_queries.npy',a[2000:]); np.save('nodup_base.npy',a[2000:])"
tally() { # $1 = store, $2 = first id of the distinct items; counts queries whose own item is missing from their top 10
  ${Q:-quiver} search --db "$1" --queries dup_queries.npy --k 10 ${3:-} | awk -v f="$2" '{ if ($2 == $1 + f) hit[$1]=1; q[$1]=1 }
     END { n=0; m=0; for (i in q) { n++; if (!(i in hit)) m++ }; print m " of " n " items did not find themselves in their top 10" }'
}
rm -rf dupdb nodupdb dupforest
${Q:-quiver} import --db dupdb --distance euclidean --build hnsw -q dup_base.npy >/dev/null
${Q:-quiver} import --db nodupdb --distance euclidean --first-id 2000 --build hnsw -q nodup_base.npy >/dev/null
${Q:-quiver} import --db dupforest --distance euclidean --build forest -q dup_base.npy >/dev/null
echo "hnsw, with 2000 copies:    $(tally dupdb 2000 '--ef 200')"
echo "hnsw, without the copies:  $(tally nodupdb 2000 '--ef 200')"
echo "forest, with 2000 copies:  $(tally dupforest 2000)"
echo "--- one query: item 2001..2010, what the hnsw index returns first"
for i in 2001 2004 2005 2006 2011; do echo "item $i -> $(${Q:-quiver} search --db dupdb --item $i --k 3 --ef 200 | tr '\t\n' ': ')"; done
echo "--- check"; ${Q:-quiver} check --db dupdb | tail -2; echo "check rc=${PIPESTATUS[0]}"
