# Synthetic 1536-d data for the int8-plane quality check: 200 Gaussian clusters, anisotropic noise
# (per-dimension spread 0.2..2.0 times 1.3), 20,000 base and 500 query vectors, numpy seed 7.
# Then: quiver truth --base base.fvecs --queries queries.fvecs --distance cosine --k 100 --out truth.ivecs
import numpy as np
rng = np.random.default_rng(7)
d, n, nq, c = 1536, 20000, 500, 200
centres = rng.normal(size=(c, d)).astype(np.float32)
w = np.linspace(0.2, 2.0, d, dtype=np.float32)
def gen(m):
    idx = rng.integers(0, c, size=m)
    return (centres[idx] + rng.normal(scale=1.3, size=(m, d)).astype(np.float32) * w).astype(np.float32)
def write(p, a):
    with open(p, 'wb') as f:
        for row in a:
            f.write(np.int32(a.shape[1]).tobytes()); f.write(row.astype('<f4').tobytes())
write('base.fvecs', gen(n)); write('queries.fvecs', gen(nq))
