import sys, numpy as np, struct, collections
a, b = sys.argv[1], sys.argv[2]
PS = 4096
A = np.memmap(a, dtype=np.uint8, mode='r')
B = np.memmap(b, dtype=np.uint8, mode='r')
n = min(len(A), len(B)) // PS
grown = (len(B) - len(A)) // PS
counts = collections.Counter()
chunk = 16384
changed = []
for s in range(0, n, chunk):
    e = min(n, s + chunk)
    x = A[s*PS:e*PS].reshape(-1, PS); y = B[s*PS:e*PS].reshape(-1, PS)
    d = np.nonzero((x != y).any(axis=1))[0] + s
    changed.extend(d.tolist())
changed.extend(range(n, len(B)//PS))
kinds = {0:'META',1:'UPDATED',2:'TREE',3:'LINKS',4:'ITEM',5:'CODE'}
for p in changed:
    pg = B[p*PS:(p+1)*PS].tobytes()
    flags = struct.unpack_from('<H', pg, 10)[0]
    if flags & 0x08: counts['meta'] += 1; continue
    if flags & 0x04: counts['overflow'] += 1; continue
    if flags & 0x01: counts['branch'] += 1; continue
    if flags & 0x02:
        lower = struct.unpack_from('<H', pg, 12)[0]
        nkeys = (lower - 16) // 2
        if nkeys == 0: counts['leaf-empty'] += 1; continue
        off = struct.unpack_from('<H', pg, 16)[0]
        ksize = struct.unpack_from('<H', pg, off + 6)[0]
        key = pg[off+8:off+8+ksize]
        if len(key) >= 3:
            k = kinds.get(key[2], '?')
            if k == 'LINKS' and len(key) >= 8:
                k += ' lvl0' if key[7] == 0 else (' in' if key[7] & 0x80 else ' up')
            counts['leaf ' + k] += 1
        else: counts['leaf short'] += 1
        continue
    counts['other(free?) flags=%x' % flags] += 1
print('pages compared', n, 'grown', grown, 'changed', len(changed))
for k, v in sorted(counts.items(), key=lambda t: -t[1]): print(f'{v:8d} {k}')
