import json,sys,collections
d=json.load(open(sys.argv[1]))
ev=d['recording']['events']
tot=collections.Counter(); cnt=0
for e in ev:
    v=e['values']; w=v['weight']
    fr=v['stackTrace']['frames'] if v.get('stackTrace') else []
    names=[f['method']['type']['name'].split('.')[-1]+'.'+f['method']['name']+':'+str(f.get('lineNumber')) for f in fr[:6]]
    # first quiver frame and the top frame
    q=next((n for f,n in zip(fr,names) if 'quiver' in f['method']['type']['name']), '?')
    top=names[0] if names else '?'
    key=(v['objectClass']['name'], top, q)
    tot[key]+=w
s=sum(tot.values())
print('total MB', s/1048576)
for k,w in tot.most_common(40): print(f"{w/1048576:8.1f} MB  {k}")
