import sys,re,statistics as st
runs=[];cur=None;after=False
for line in open(sys.argv[1]):
    if line.startswith('=='):
        p=line.split(); cur={'v':p[1],'b':p[2],'r':int(p[4])}; runs.append(cur); after=(p[1]=='F'); continue
    if line.startswith('warm_up_batches'): after=True; continue
    if after and line.startswith('batch=1 ') and 'total' not in cur:
        d=dict(kv.split('=') for kv in line.split() if '=' in kv)
        cur.update(total=float(d['total_s']),commit=float(d['commit_s']))
    m=re.match(r'(inserting items|writing links): ([\d.]+)(ms|s)',line)
    if after and m and m.group(1) not in cur and 'total' in cur:
        cur[m.group(1)]=float(m.group(2))/(1000 if m.group(3)=='ms' else 1)
for v in 'FW':
    a={r['r']:r for r in runs if r['v']==v and r['b']=='50k' and 'total' in r}
    b={r['r']:r for r in runs if r['v']==v and r['b']=='500k' and 'total' in r}
    ks=sorted(set(a)&set(b))
    print(v,'50k',[a[k]['total'] for k in ks]); print(v,'500k',[b[k]['total'] for k in ks])
    print(v,'500k commit',[b[k]['commit'] for k in ks],'links',[b[k].get('writing links') for k in ks],'ins',[b[k].get('inserting items') for k in ks])
    print(v,'50k commit',[a[k]['commit'] for k in ks],'links',[a[k].get('writing links') for k in ks],'ins',[a[k].get('inserting items') for k in ks])
    rat=[round(b[k]['total']/a[k]['total'],2) for k in ks]
    ma=st.median([a[k]['total'] for k in ks]); mb=st.median([b[k]['total'] for k in ks])
    print(v,'ratios',rat,'ratio of medians %.2f'%(mb/ma),'500k items/s median %d'%(1000/mb), 'min %d'%(1000/max(b[k]['total'] for k in ks)))
