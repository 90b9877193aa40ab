import sys, collections, re
from perfsamples import load
recs=load(sys.argv[1])
wl=sorted(r[2] for r in recs if any('HnswBuilder.writeLinks' in f for f in r[3]))
clusters=[[wl[0]]]
for t in wl[1:]:
    if t-clusters[-1][-1]>0.15: clusters.append([t])
    else: clusters[-1].append(t)
print('writeLinks clusters', [(round(c[0],2),round(c[-1],2)) for c in clusters])
which=int(sys.argv[2]) if len(sys.argv)>2 else -1
lo=clusters[which-1][-1] if len(clusters)+which>0 else 0
hi=clusters[which][0]
w=[r for r in recs if r[0].startswith('quiver-hnsw') and lo<r[2]<hi]
print('window %.3f-%.3f (%.3f s), worker samples %d'%(lo,hi,hi-lo,len(w)))
def cat(f):
    j=' | '.join(f)
    if 'clear_page' in j: return 'fresh page clear'
    if 'page_fault' in j: return 'other page fault'
    if 'LeafPage' in j or 'lookUpLeaf' in j or 'getWithLeafNeighbours' in j: return 'leaf page fill'
    if 'Links.read' in j or 'Links.readAllLevels' in j: return 'Links.read'
    if 'offerLinks0' in j or 'links0' in j.lower(): return 'list cache'
    if 'BuildWorker.address' in j or 'CommittedItemAddresses' in j: return 'address'
    if 'select' in j.lower() and 'heuristic' in j.lower(): return 'heuristic'
    top=f[0]
    if 'searchLevel' in top: return 'searchLevel (self)'
    if 'Kernels' in top or 'Panama' in top or 'distance' in top.lower(): return 'distance kernel'
    return 'other: '+top[:60]
c=collections.Counter(cat(r[3]) for r in w)
for k,v in c.most_common(25): print(v,k)
