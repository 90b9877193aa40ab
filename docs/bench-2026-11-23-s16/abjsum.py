import re, sys, statistics as st
runs = {}
cur = None
for line in open(sys.argv[1]):
    m = re.match(r'== (\w+) (\S+) (\d+) (\d+)', line)
    if m:
        cur = (m.group(1), m.group(2), int(m.group(3)), int(m.group(4))); runs[cur] = []; continue
    m = re.match(r'batch=\d+ .*total_s=([\d.]+) .*commit_s=([\d.]+)', line)
    if m and cur: runs[cur].append((float(m.group(1)), float(m.group(2))))
def reg(kind, b):
    if kind == 'process' and len(b) >= 8: return {'fresh': b[0], 'steady': (st.mean(x[0] for x in b[2:8]), st.mean(x[1] for x in b[2:8]))}
    if kind == 'opened' and b: return {'opened': b[0]}
    return {}
res = {}
for (kind, j, n, r), b in runs.items():
    for k, v in reg(kind, b).items(): res.setdefault((k, j, n), {})[r] = v
jars = sorted({j for (_, j, _) in res})
for k in ['fresh', 'steady', 'opened']:
    for j in jars:
        a = res.get((k, j, 50000), {}); b = res.get((k, j, 500000), {})
        rr = sorted(set(a) & set(b))
        if not rr: continue
        ta = [a[r][0] for r in rr]; tb = [b[r][0] for r in rr]; ca = [a[r][1] for r in rr]; cb = [b[r][1] for r in rr]
        print(f"{k:7s} {j}: 50k {st.median(ta):.3f} 500k {st.median(tb):.3f} ratio {st.median(tb)/st.median(ta):.2f} per-round [{' '.join('%.2f'%(y/x) for x,y in zip(ta,tb))}] 500k items/s {1000/st.median(tb):.0f} commit 50k {st.median(ca):.3f} 500k {st.median(cb):.3f} | 500k [{' '.join('%.3f'%x for x in tb)}]")
