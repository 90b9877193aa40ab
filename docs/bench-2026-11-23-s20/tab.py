# Tabulates hnswpair.sh's CSVs: per ef, hnswlib q/s per round, Quiver q/s per round (build run,
# reuse), recall, and the ratio of the median Quiver run to the median hnswlib run.
import csv, statistics as st, sys, collections
d = sys.argv[1]; tag = sys.argv[2]
def rows(f):
    return [r for r in csv.reader(open(f)) if r and r[0] != 'algo']
h = collections.defaultdict(list); q = collections.defaultdict(list); rec = {}; hb = []; qb = []
for r in rows(f'{d}/{tag}-hnswlib.csv'):
    ef = int(r[2].split('=')[1]); h[ef].append(float(r[6])); rec[('h', ef)] = r[5]
    if ef == int(r[2].split('=')[1]) and r[3] not in hb: hb.append(r[3])
for r in rows(f'{d}/{tag}-quiver.csv'):
    ef = int(r[2].split('=')[1]); q[ef].append((r[0], float(r[6]))); rec[('q', ef)] = r[5]
    if r[0] == 'hnsw' and r[3] not in qb: qb.append(r[3])
print(f'builds: hnswlib {", ".join(hb)} s; Quiver {", ".join(qb)} s')
print('| ef | hnswlib recall | hnswlib q/s | Quiver recall | Quiver q/s (build run, reuse) | median ratio |')
print('| ---: | ---: | --- | ---: | --- | ---: |')
for ef in sorted(h):
    qs = [v for _, v in q.get(ef, [])]
    ratio = st.median(qs) / st.median(h[ef]) if qs else float('nan')
    print(f'| {ef} | {rec[("h", ef)]} | {" / ".join("%.0f" % v for v in h[ef])} | {rec.get(("q", ef), "")} | '
          f'{" / ".join("%.0f" % v for v in qs)} | {ratio:.2f}x |')
