import re,sys,collections
txt=open(sys.argv[1]).read()
evs=re.split(r'\njdk\.ObjectAllocation\w+ \{',txt)[1:]
U={'bytes':1,'kB':1024,'MB':1024*1024}
agg=collections.Counter(); tot=0
for e in evs:
    s=re.search(r'tlabSize = ([\d.]+) (bytes|kB|MB)',e) or re.search(r'allocationSize = ([\d.]+) (bytes|kB|MB)',e)
    v=float(s.group(1))*U[s.group(2)]
    c=re.search(r'objectClass = (\S+)',e).group(1)
    fr=re.findall(r'\n\s+([\w.$<>]+)\(.*?\) line:',e)
    key=c+' <- '+' <- '.join('.'.join(f.split('.')[-2:]) for f in fr[:int(sys.argv[3]) if len(sys.argv)>3 else 4])
    agg[key]+=v; tot+=v
print('total MiB',round(tot/2**20,1))
for k,v in agg.most_common(int(sys.argv[2]) if len(sys.argv)>2 else 30): print(round(v/2**20,1),k)
