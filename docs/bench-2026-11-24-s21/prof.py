import re,collections,sys
def load(fn):
    txt=open(fn).read()
    top=collections.Counter(); inc=collections.Counter(); n=0
    for e in re.split(r'\njdk\.(?:ExecutionSample|NativeMethodSample)',txt):
        fr=re.findall(r'^\s+([\w.$<>]+)\(.*?\)\s+line: (\d+)',e,re.M)
        if not fr: continue
        if not any('BuildWorker' in f for f,_ in fr): continue
        n+=1
        top[fr[0][0]]+=1
        for f in set(x for x,_ in fr): inc[f]+=1
    return n,top,inc
a=load(sys.argv[1]); b=load(sys.argv[2])
print("worker samples", a[0], b[0])
keys=set(list(dict(a[1].most_common(25)))+list(dict(b[1].most_common(25))))
print("self:")
for k in sorted(keys,key=lambda k:-a[1][k]): print(f"{a[1][k]:6d} {b[1][k]:6d}  {k}")
keys=set(list(dict(a[2].most_common(30)))+list(dict(b[2].most_common(30))))
print("inclusive:")
for k in sorted(keys,key=lambda k:-a[2][k]): print(f"{a[2][k]:6d} {b[2][k]:6d}  {k}")
