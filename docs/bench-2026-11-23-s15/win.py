import re,sys,collections
samples=[]
cur=None
for line in open(sys.argv[1]):
    m=re.match(r'^(\S.*?)\s+(\d+)\s+([\d.]+):\s*$',line)
    if m:
        cur=[m.group(1),int(m.group(2)),float(m.group(3)),[]]; samples.append(cur); continue
    s=line.split()
    if len(s)>=2 and cur: cur[3].append(s[1])
pw=[s for s in samples if any('pwrite64' in f for f in s[3])]
# cluster
cl=[]
for s in pw:
    if cl and s[2]-cl[-1][1]<0.05: cl[-1][1]=s[2]; cl[-1][2]+=1
    else: cl.append([s[2],s[2],1,s[1]])
for c in cl: print('pwrite window %.3f-%.3f n=%d tid=%d'%(c[0]-samples[0][2],c[1]-samples[0][2],c[2],c[3]))
for c in cl[-2:]:
    a,b=c[0],c[1]
    win=[s for s in samples if a<=s[2]<=b]
    print('--- window %.3f s, samples %d'%(b-a,len(win)))
    byt=collections.Counter((s[0]) for s in win)
    print(byt.most_common(8))
    main=[s for s in win if s[1]==c[3]]
    leaf=collections.Counter(s[3][0] if s[3] else '?' for s in main)
    print('writer leaf',leaf.most_common(12))
    has=collections.Counter()
    for s in main:
        for f in set(s[3]): has[f]+=1
    print('writer incl',[(k,v) for k,v in has.most_common(40)])
