import re,sys,statistics as st
runs=[];cur=None
for line in open(sys.argv[1]):
    if line.startswith('=='):
        p=line.split(); cur={'j':p[1],'b':p[2],'r':p[4]}; runs.append(cur); continue
    if line.startswith('batch='):
        d=dict(kv.split('=') for kv in line.split() if '=' in kv); cur['t']=float(d['total_s'])
    m=re.match(r'write int8 codes: ([\d.]+)(ms|s|µs)',line)
    if m: cur['c']=float(m.group(1))/(1000 if m.group(2)=='ms' else (1e6 if m.group(2)=='µs' else 1))
for j in sorted(set(r['j'] for r in runs)):
    med={}
    for b in ('50k','500k'):
        rs=[r for r in runs if r['j']==j and r['b']==b and 't' in r]
        med[b]=st.median([r['t'] for r in rs])
        print(j,b,'total',[r['t'] for r in rs],'median %.3f'%med[b],'codes',[round(r.get('c',0),3) for r in rs])
    print(j,'ratio of medians %.2f, 500k items/s %d'%(med['500k']/med['50k'],1000/med['500k']))
