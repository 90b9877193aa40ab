import sys, collections, re
from perfsamples import load
recs=load(sys.argv[1])
wl=sorted(r[2] for r in recs if any('HnswBuilder.writeLinks' in f for f in r[3]))
# last cluster
cl=[wl[-1]]
for t in reversed(wl[:-1]):
    if cl[-1]-t>0.15: break
    cl.append(t)
t0,t1=min(cl),max(cl)
wlr=[r for r in recs if any('HnswBuilder.writeLinks' in f for f in r[3]) and t0<=r[2]<=t1]
tid=collections.Counter(r[1] for r in wlr).most_common(1)[0][0]
w=[r for r in recs if r[1]==tid and t0<=r[2]<=t1]
print('window',t0,t1,'dur %.3f'%(t1-t0),'writer samples',len(w))
cat=collections.Counter(); sub=collections.Counter()
for r in w:
    f=r[3]; j=' | '.join(f)
    if 'clear_page' in j: c='kernel clear_page'
    elif 'page_fault' in j or 'handle_mm_fault' in j or 'exc_page_fault' in j: c='other page fault'
    elif 'Interpreter' in j[:300]: c='interpreter'
    else: c='other'
    cat[c]+=1
    if c in ('other page fault','kernel clear_page'):
        ks=[x for x in f if re.match(r'^[a-z_0-9.]+$',x)]
        sub[(c,' < '.join(ks[:6]))]+=1
    if c=='other': sub[('other',f[0][:70])]+=1
for k,v in cat.most_common(): print(v,k)
for k,v in sub.most_common(25): print(v,k)
