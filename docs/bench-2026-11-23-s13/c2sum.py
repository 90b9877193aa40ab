import re,collections,sys
evs=open(sys.argv[1]).read().split('jdk.Compilation {')[1:]
agg=collections.defaultdict(lambda:[0,0.0]); tot=collections.Counter()
for e in evs:
    du=re.search(r'duration = ([\d.]+) (ms|s|us|ns)',e)
    d=float(du.group(1))*{'ms':1,'s':1000,'us':0.001,'ns':1e-6}[du.group(2)]
    lvl=int(re.search(r'compileLevel = (\d+)',e).group(1))
    tot['C2' if lvl==4 else 'C1']+=d
    if lvl!=4: continue
    m=re.search(r'method = (.*)',e).group(1)
    a=agg[m[:90]]; a[0]+=1; a[1]+=d
print('total ms', {k:round(v) for k,v in tot.items()})
for m,(n,d) in sorted(agg.items(), key=lambda x:-x[1][1])[:12]: print(n, round(d), m)
