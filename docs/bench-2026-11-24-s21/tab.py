# tab.py DIR TAG: markdown table of paired hnswlib / Quiver runs from DIR/TAG-hnswlib.csv and DIR/TAG-quiver.csv
import csv,sys,statistics,collections
d,tag=sys.argv[1],sys.argv[2]
def rows(f):
    out=[]
    for r in csv.reader(open(f)):
        if r[0] in ('algo',) or len(r)<7: continue
        out.append(r)
    return out
h=rows(f"{d}/{tag}-hnswlib.csv"); q=rows(f"{d}/{tag}-quiver.csv")
hq=collections.defaultdict(list); hr={}; qq=collections.defaultdict(list); qr={}
hb=sorted(set(float(r[3]) for r in h)); qb=sorted(set(float(r[3]) for r in q if r[0]=='hnsw'))
for r in h: e=int(r[2].split('=')[1]); hq[e].append(float(r[6])); hr[e]=r[5]
for r in q: e=int(r[2].split('=')[1]); qq[e].append(float(r[6])); qr[e]=r[5]
print("| ef | hnswlib recall | hnswlib q/s | Quiver recall | Quiver q/s | ratio of medians |")
print("| ---: | ---: | --- | ---: | --- | ---: |")
for e in sorted(hq):
    if e not in qq: continue
    print(f"| {e} | {hr[e]} | {' / '.join(f'{x:,.0f}' for x in hq[e])} | {qr[e]} | {' / '.join(f'{x:,.0f}' for x in qq[e])} | {statistics.median(qq[e])/statistics.median(hq[e]):.2f}x |")
print(f"\nbuild s: hnswlib {hb}  quiver {qb}")
