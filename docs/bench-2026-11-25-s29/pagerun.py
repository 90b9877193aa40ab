import sys, numpy as np
a, b = sys.argv[1], sys.argv[2]
PS = 4096
A = np.memmap(a, dtype=np.uint8, mode='r'); B = np.memmap(b, dtype=np.uint8, mode='r')
n = min(len(A), len(B)) // PS
changed = []
for s in range(0, n, 16384):
    e = min(n, s + 16384)
    x = A[s*PS:e*PS].reshape(-1, PS); y = B[s*PS:e*PS].reshape(-1, PS)
    changed.extend((np.nonzero((x != y).any(axis=1))[0] + s).tolist())
changed.extend(range(n, len(B)//PS))
c = np.array(changed)
runs = 1 + int(np.sum(np.diff(c) > 1))
runs8 = 1 + int(np.sum(np.diff(c) > 8))
print('file pages', len(B)//PS, 'changed', len(c), 'runs', runs, 'runs(gap<=8 merged)', runs8)
print('pgno percentiles 0/10/50/90/100:', np.percentile(c, [0,10,50,90,100]).astype(int).tolist())
