import numpy as np, sys, collections
# distance-based recall@10: a result counts when its true distance is within the 10th true distance
X = np.load('base.npy'); Q = np.load('queries.npy'); k = 10
res = collections.defaultdict(list)
for line in open(sys.argv[1]):
    q, i, d = line.split('\t'); res[int(q)].append(int(i))
out = []
for qi in range(len(Q)):
    d = np.sqrt(((X - Q[qi]) ** 2).sum(1)); kth = np.sort(d)[k - 1]
    got = res.get(qi, [])
    out.append(sum(1 for i in got[:k] if d[i] <= kth + 1e-4) / k)
out = np.array(out); n1 = len(Q) - 50 if len(Q) > 200 else len(Q)
print('recall near items %.4f near copies %s' % (out[:n1].mean(), '%.4f' % out[n1:].mean() if len(Q) > n1 else '-'), end='  ')
