# The kind of every page the last commit of a trace wrote, read back from the file:
#   python3 commit-pages.py TRACE DATA.MDB
import collections, importlib, os, struct, sys
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
commits = importlib.import_module('commit-runs').commits_of(sys.argv[1])
c=[x for x in commits if len(x)>5][-1]  # the last commit with data pages (the meta write is alone)
f=open(sys.argv[2],'rb')
kinds=collections.Counter()
pg=set()
for o,s in c:
    for p in range(o//4096,(o+s)//4096): pg.add(p)
skip=0
for p in sorted(pg):
    if skip and p<skip: kinds['overflow-cont']+=1; continue
    f.seek(p*4096); h=f.read(64)
    pgno,pad,flags,lower,upper=struct.unpack('<QHHHH',h[:16])
    if flags&4: kinds['overflow']+=1; continue
    if flags&8: kinds['meta']+=1; continue
    if flags&2 or flags&1:
        if lower<=16: kinds[('empty',flags)]+=1; continue
        ptr=struct.unpack('<H',h[16:18])[0]
        if flags&1 and lower>18: ptr=struct.unpack('<H',h[18:20])[0]
        f.seek(p*4096+ptr); nd=f.read(16)
        ks=struct.unpack('<H',nd[6:8])[0]
        key=nd[8:8+min(ks,8)]
        typ = 'branch' if flags&1 else 'leaf'
        if ks>=3: kinds[(typ,key[2])]+=1
        else: kinds[(typ,'short',ks)]+=1
    else: kinds[('other',flags)]+=1
print(len(pg))
for k,v in sorted(kinds.items(), key=lambda x:-x[1]): print(k,v)
