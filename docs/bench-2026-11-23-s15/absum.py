import re,sys,statistics as st,collections
d=collections.defaultdict(list); d2=collections.defaultdict(list)
for line in open(sys.argv[1]):
    p=line.split()
    if len(p)<4: continue
    t=re.findall(r'total_s=([\d.]+)',line)
    if t: d[(p[0],int(p[1]))].append(float(t[0]))
    if len(t)>1: d2[(p[0],int(p[1]))].append(float(t[1]))
for k in sorted(d): print(k,'batch1 median %.3f'%st.median(d[k]),' '.join('%.3f'%x for x in d[k]),'| batch2 median %.3f'%st.median(d2[k]) if d2[k] else '')
