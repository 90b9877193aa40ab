import re,collections,sys
txt=open(sys.argv[1]).read()
evs=txt.split('jdk.Compilation {')[1:]
rows=[]
for e in evs:
    st=re.search(r'startTime = (\d+):(\d+):([\d.]+)',e); t=int(st.group(1))*3600+int(st.group(2))*60+float(st.group(3))
    du=re.search(r'duration = ([\d.]+) (ms|s|us|ns)',e); d=float(du.group(1))*{'ms':1e-3,'s':1,'us':1e-6,'ns':1e-9}[du.group(2)]
    lvl=int(re.search(r'compileLevel = (\d+)',e).group(1)); m=re.search(r'method = (.*)',e).group(1)
    osr='isOsr = true' in e
    rows.append((t,d,lvl,m,osr))
t0=min(r[0] for r in rows)
cat=collections.defaultdict(lambda:[0,0.0,0,0.0])
def c(m):
    if 'incubator.vector' in m or 'vm.vector' in m: return 'vectorapi'
    if m.startswith('io.quiver'): return m.split('(')[0].rsplit('.',2)[-2]
    return m.split('(')[0].rsplit('.',2)[0]
for t,d,l,m,o in rows:
    k=c(m); i=0 if l==4 else 2
    cat[k][i]+=1; cat[k][i+1]+=d
print('category: C2 n, C2 s, C1 n, C1 s')
for k,v in sorted(cat.items(), key=lambda x:-x[1][1])[:25]: print('%-40s %3d %.3f %4d %.3f'%(k,v[0],v[1],v[2],v[3]))
print('total C2 %.3f C1 %.3f'%(sum(r[1] for r in rows if r[2]==4), sum(r[1] for r in rows if r[2]!=4)))
