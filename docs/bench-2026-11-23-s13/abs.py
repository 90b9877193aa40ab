import re,sys,statistics as st,collections
runs=collections.defaultdict(list)  # (jar,size) -> list of per-run dicts
cur=None
for line in open(sys.argv[1]):
    m=re.match(r'== (\w+) (\d+) round (\d+)',line)
    if m: cur={'b':[]}; runs[(m.group(1),int(m.group(2)))].append(cur); continue
    m=re.match(r'batch=(\d+) .*total_s=([\d.]+).*heap_allocated_mib=([\d.]+)',line)
    if m: cur['b'].append({'total':float(m.group(2)),'alloc':float(m.group(3))}); continue
    m=re.match(r'writing links: ([\d.]+)(ms|s)',line)
    if m and cur['b']:
        v=float(m.group(1))/(1000 if m.group(2)=='ms' else 1); cur['b'][-1]['wl']=v
for (jar,size),rs in sorted(runs.items(), key=lambda x:(x[0][1],x[0][0])):
    f_t=[r['b'][0]['total'] for r in rs]; f_wl=[r['b'][0]['wl'] for r in rs]; f_al=[r['b'][0]['alloc'] for r in rs]
    s_t=[st.mean(b['total'] for b in r['b'][2:8]) for r in rs]; s_wl=[st.mean(b['wl'] for b in r['b'][2:8]) for r in rs]; s_al=[st.mean(b['alloc'] for b in r['b'][2:8]) for r in rs]
    fmt=lambda xs,k=3: ' '.join(f'{x:.{k}f}' for x in xs)
    print(f'{jar} {size:>6}: fresh total {fmt(f_t)} | fresh links {fmt(f_wl)} | steady total {fmt(s_t)} | steady links {fmt(s_wl)} | steady alloc MiB {fmt(s_al,1)}')
