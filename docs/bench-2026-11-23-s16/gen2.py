import numpy as np, sys
# base: n random 16-d gaussians plus z exact copies of each of c points (zero first), shuffled.
# queries: 200 near random non-copy items, 50 near copied points. Writes base.npy, queries.npy
n, z, seed, c = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]) if len(sys.argv) > 4 else 1
r = np.random.default_rng(seed)
pts = np.vstack([np.zeros((1, 16)), r.standard_normal((c - 1, 16))]).astype('<f4')
X = np.vstack([np.repeat(pts, z, axis=0), r.standard_normal((n, 16)).astype('<f4')])
perm = r.permutation(len(X)); X = X[perm]
np.save('base.npy', X)
isdup = np.zeros(len(X), bool); isdup[np.argsort(perm)[: c * z]] = True
nz = np.where(~isdup)[0]
Q1 = X[r.choice(nz, 200, replace=False)] + 0.05 * r.standard_normal((200, 16))
Q2 = pts[r.integers(0, c, 50)] + 0.05 * r.standard_normal((50, 16)) if z else np.zeros((0, 16))
np.save('queries.npy', np.vstack([Q1, Q2]).astype('<f4'))
