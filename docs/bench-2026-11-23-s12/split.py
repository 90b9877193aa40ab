import re,sys,statistics as st
rows={}
for f in sys.argv[1:]:
    cur=None;b=None
    for line in open(f):
        m=re.match(r'== (\S+) (\S+) round',line)
        if m: cur=(m.group(1),m.group(2)); continue
        m=re.match(r'batch=(\d+) .*total_s=([\d.]+).*add_s=([\d.]+) build_s=([\d.]+) commit_s=([\d.]+)',line)
        if m: b=int(m.group(1)); d=rows.setdefault((cur,b),{}); [d.setdefault(k,[]).append(float(v)) for k,v in zip(['tot','add','build','commit'],m.groups()[1:])]; continue
        m=re.match(r'(inserting items|writing links): ([\d.]+)(ms|s)',line)
        if m and b: rows[(cur,b)].setdefault(m.group(1)[:6],[]).append(float(m.group(2))/(1000 if m.group(3)=='ms' else 1))
for (k,b),d in sorted(rows.items()):
    if b not in (1,2,5): continue
    print(k,b,len(d['tot']),' '.join(f"{n}={st.median(v):.3f}" for n,v in d.items()))
