import re,sys,statistics as st,collections
f=collections.defaultdict(list); s=collections.defaultdict(list)
for line in open(sys.argv[1]):
    p=line.split()
    if len(p)<4: continue
    t=[float(x) for x in re.findall(r'total_s=([\d.]+)',line)]
    if len(t)<8: continue
    f[(p[0],int(p[1]))].append(t[0]); s[(p[0],int(p[1]))].append(st.mean(t[2:8]))
for k in sorted(f): print(k,'fresh median %.3f [%s]'%(st.median(f[k]),' '.join('%.3f'%x for x in f[k])),' steady median %.3f [%s]'%(st.median(s[k]),' '.join('%.3f'%x for x in s[k])))
jars=sorted({k[0] for k in f})
for j in jars:
    try: print(j,'ratio fresh %.2f steady %.2f'%(st.median(f[(j,500000)])/st.median(f[(j,50000)]),st.median(s[(j,500000)])/st.median(s[(j,50000)])))
    except Exception as e: pass
