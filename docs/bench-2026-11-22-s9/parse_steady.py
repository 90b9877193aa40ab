import sys,re,statistics as st
runs=[];cur=None
for line in open(sys.argv[1]):
    if line.startswith('=='):
        p=line.split(); cur={'j':p[1],'b':p[2],'r':int(p[4]),'t':[],'c':[],'wl':[],'ins':[]}; runs.append(cur); continue
    if line.startswith('batch='):
        d=dict(kv.split('=') for kv in line.split() if '=' in kv)
        cur['t'].append(float(d['total_s'])); cur['c'].append(float(d['commit_s']))
    m=re.match(r'(inserting items|writing links): ([\d.]+)(ms|s)',line)
    if m: (cur['ins'] if m.group(1)=='inserting items' else cur['wl']).append(float(m.group(2))/(1000 if m.group(3)=='ms' else 1))
for j in sorted(set(r['j'] for r in runs)):
    res={}
    for b in ('50k','500k'):
        for r in runs:
            if r['j']==j and r['b']==b and len(r['t'])==8:
                s=lambda x: st.mean(x[2:8])
                res.setdefault(b,{})[r['r']]=(s(r['t']),s(r['c']),s(r['wl']),s(r['ins']))
    ks=sorted(set(res.get('50k',{}))&set(res.get('500k',{})))
    for b in ('50k','500k'):
        print(j,b,'steady',[round(res[b][k][0],3) for k in ks],'commit',[round(res[b][k][1],3) for k in ks],'links',[round(res[b][k][2],3) for k in ks],'ins',[round(res[b][k][3],3) for k in ks])
    if ks:
        rat=[round(res['500k'][k][0]/res['50k'][k][0],2) for k in ks]
        m5=st.median(res['500k'][k][0] for k in ks); m50=st.median(res['50k'][k][0] for k in ks)
        print(j,'ratios',rat,'ratio of medians %.2f'%(m5/m50),'500k items/s %d'%(1000/m5))
