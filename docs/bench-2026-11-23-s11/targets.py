# Per jar: ratio per round (500k/50k) and 500k items/s, from ab.sh logs (fresh batch 1 and steady
# means of batches 3-8) and abw.sh logs (warmed JVM, just-opened index, batch 1). Rounds are paired
# by file and round number. Rounds started before SKIP_BEFORE (disturbed) are left out.
import re,sys,statistics as st
import os
SKIP_BEFORE=os.environ.get('SKIP_BEFORE','02:51:50')
def load(files):
    runs=[]; cur=None
    for f in files:
        for line in open(f):
            m=re.match(r'== (\S+) (\S+) round (\d+) (\S+)',line)
            if m: cur={'jar':m.group(1),'size':m.group(2),'key':f.split('/')[-1]+':'+m.group(3),'t':m.group(4),'tot':[]}; runs.append(cur); continue
            m=re.match(r'batch=(\d+) .*total_s=([\d.]+)',line)
            if m and cur is not None: cur['tot'].append(float(m.group(2)))
    return runs
def report(name, runs, pick):
    for jar in sorted(set(r['jar'] for r in runs)):
        pairs={}
        for r in runs:
            if r['jar']!=jar or r['t']<SKIP_BEFORE or not r['tot']: continue
            pairs.setdefault(r['key'],{})[r['size']]=pick(r['tot'])
        ks=[k for k in pairs if '50k' in pairs[k] and '500k' in pairs[k]]
        small=[pairs[k]['50k'] for k in ks]; big=[pairs[k]['500k'] for k in ks]
        ratios=[b/s for s,b in zip(small,big)]
        print(f"{name} {jar}: rounds {len(ks)}; 50k {[round(x,3) for x in small]} med {st.median(small):.3f}; 500k {[round(x,3) for x in big]} med {st.median(big):.3f}; ratio per round {[round(x,2) for x in ratios]}; ratio of medians {st.median(big)/st.median(small):.2f}; 500k items/s {1000/st.median(big):.0f}")
ab=load(sys.argv[1].split(','))
report('fresh JVM batch 1', ab, lambda t: t[0])
report('steady 3-8', [r for r in ab if len(r['tot'])>=8], lambda t: st.mean(t[2:8]))
if len(sys.argv)>2:
    report('warmed JVM just-opened', load(sys.argv[2].split(',')), lambda t: t[0])
