import json,sys,collections,datetime
d=json.load(open(sys.argv[1])); secs=float(sys.argv[2])
ev=d['recording']['events']
def t(e): return datetime.datetime.fromisoformat(e['values']['startTime'].replace('Z','+00:00')).timestamp()
tmax=max(t(e) for e in ev)
tot=collections.Counter()
for e in ev:
    if t(e) < tmax-secs: continue
    v=e['values']; w=v['weight']
    fr=v['stackTrace']['frames'] if v.get('stackTrace') else []
    names=[f['method']['type']['name'].split('/')[-1]+'.'+f['method']['name']+':'+str(f.get('lineNumber')) for f in fr[:8]]
    q=[n for f,n in zip(fr,names) if 'quiver' in f['method']['type']['name']][:2]
    tot[(v['objectClass']['name'].split('/')[-1], names[0] if names else '?', ' < '.join(q))]+=w
s=sum(tot.values()); print('MB', s/1048576)
for k,w in tot.most_common(30): print(f"{w/1048576:7.1f}  {k}")
