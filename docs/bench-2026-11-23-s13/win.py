import sys, collections, re
from perfsamples import load
recs=load(sys.argv[1])
wl=[r for r in recs if any('HnswBuilder.writeLinks' in f for f in r[3])]
tid=collections.Counter(r[1] for r in wl).most_common(1)[0][0]
t0=min(r[2] for r in wl); t1=max(r[2] for r in wl)
print('writer tid',tid,'window',t0,t1,'dur',t1-t0)
w=[r for r in recs if r[1]==tid and t0<=r[2]<=t1]
print('samples in window on writer',len(w))
cat=collections.Counter()
for r in w:
    f=r[3]; j=' | '.join(f)
    if 'clear_page' in j: c='kernel clear_page'
    elif 'page_fault' in j or 'handle_mm_fault' in j: c='other page fault'
    elif f[0].startswith('[unknown]') or 'liblmdb' in j or 'mdb_' in j: c='native unknown/lmdb'
    elif 'Interpreter' in j[:200]: c='interpreter'
    elif 'malloc' in j or '_int_' in j: c='malloc'
    else: c='other: '+f[0][:80]
    cat[c]+=1
for k,v in cat.most_common(30): print(v,k)
