import re, sys, statistics as st
# per (jar, n): per round steady means (batches 3-8) of total, commit, writing links; and batch 1 total
runs = {}
cur = None
for line in open(sys.argv[1]):
    m = re.match(r'== (\S+) (\d+) (\d+)', line)
    if m:
        cur = (m.group(1), int(m.group(2)), int(m.group(3)))
        runs[cur] = {'b': [], 'wl': []}
        continue
    m = re.match(r'batch=(\d+) .*total_s=([\d.]+) .*build_s=([\d.]+) commit_s=([\d.]+)', line)
    if m and cur:
        runs[cur]['b'].append((float(m.group(2)), float(m.group(3)), float(m.group(4))))
        continue
    m = re.match(r'writing links: ([\d.]+)(ms|s)', line)
    if m and cur:
        v = float(m.group(1)) / (1000 if m.group(2) == 'ms' else 1)
        runs[cur]['wl'].append(v)
keys = sorted({(j, n) for (j, n, r) in runs})
for (j, n) in keys:
    rs = [v for (jj, nn, r), v in runs.items() if jj == j and nn == n and len(v['b']) >= 8]
    tot = [st.mean(x[0] for x in v['b'][2:8]) for v in rs]
    com = [st.mean(x[2] for x in v['b'][2:8]) for v in rs]
    wl = [st.mean(v['wl'][2:8]) for v in rs]
    b1 = [v['b'][0][0] for v in rs]
    print(f"{j} {n}: rounds={len(rs)} steady total med {st.median(tot):.3f} [{' '.join('%.3f'%x for x in tot)}] commit {st.median(com):.3f} writing_links {st.median(wl):.3f} batch1 {st.median(b1):.3f}")
