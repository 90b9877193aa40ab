import sys, statistics as st, collections
d=collections.defaultdict(list)
for line in open(sys.argv[1]):
    p=line.split()
    if len(p)<5: continue
    r,n,v,kind=p[0],p[1],p[2],p[3]; ts=[float(x) for x in p[4:]]
    if kind=='proc':
        d[(n,v,'fresh')].append(ts[0]); d[(n,v,'steady')].append(sum(ts[2:8])/6)
    else: d[(n,v,'opened')].append(ts[0])
for reg in ['steady','fresh','opened']:
    out=[]
    for v in 'AB':
        a=st.median(d[('50000',v,reg)]); b=st.median(d[('500000',v,reg)])
        out.append('%s: 50k %.3f 500k %.3f ratio %.2f (n=%d)'%(v,a,b,b/a,len(d[('50000',v,reg)])))
    print(reg.ljust(7),' | '.join(out))
