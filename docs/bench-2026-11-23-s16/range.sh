#!/bin/bash
# helper-14's repro: 1,000 16-d integer vectors in 0..200, build hnsw; then 200 in 300..500, build again
# $1 jar, $2 kind (int|float)
Q="/usr/lib/jvm/temurin-25-jdk-amd64/bin/java --add-modules=jdk.incubator.vector --enable-native-access=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED --add-opens=java.base/sun.nio.ch=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow -jar $1"
d=/tmp/s16/dup/range-$2; rm -rf $d; mkdir -p $d; cd $d
python3 - $2 <<'PY'
import numpy as np, sys
r = np.random.default_rng(3)
if sys.argv[1] == 'int':
    A = r.integers(0, 201, (1000, 16)).astype('<f4'); B = r.integers(300, 501, (200, 16)).astype('<f4')
else:
    A = r.uniform(-1, 1, (1000, 32)).astype('<f4'); B = (100 + 50 * r.uniform(-1, 1, (200, 32))).astype('<f4')
np.save('a.npy', A); np.save('b.npy', B)
Q = B[r.choice(200, 100, replace=False)] + 0.3 * r.standard_normal((100, B.shape[1])).astype('<f4')
np.save('queries.npy', Q.astype('<f4')); np.save('all.npy', np.vstack([A, B]))
PY
$Q import -q --db db --distance euclidean a.npy >/dev/null 2>&1; $Q build -q --db db --algo hnsw >/dev/null 2>&1
$Q import -q --db db --first-id 1000 b.npy >/dev/null 2>&1; $Q build --db db --algo hnsw 2>&1 | grep -i "recode\|int8\|codes" | head -3
$Q search -q --db db --queries queries.npy --k 10 2>/dev/null > r.txt
python3 - <<'PY'
import numpy as np, collections
X = np.load('all.npy'); Q = np.load('queries.npy'); res = collections.defaultdict(list)
for line in open('r.txt'):
    q, i, d = line.split('\t'); res[int(q)].append(int(i))
rec = []
for qi in range(len(Q)):
    d = np.sqrt(((X - Q[qi]) ** 2).sum(1)); kth = np.sort(d)[9]
    rec.append(sum(1 for i in res[qi][:10] if d[i] <= kth + 1e-3) / 10)
print('recall@10 near the new items %.3f' % np.mean(rec), end='  ')
PY
$Q check -q --db db 2>&1 | grep -v WARN | tail -1
