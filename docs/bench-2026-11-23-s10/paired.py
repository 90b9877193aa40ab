# Paired rounds of the one-pass link-write A/Bs at 500k (jar H = 36acdb0, M = 6b6e5d8):
# per round, the mean of batches 3-8 per jar; then per batch index, medians over all rounds.
# python3 paired.py ab-merged.log ab-merged2.log ab-merged3-reversed.log ab-merged4.log ab-merged5-reversed.log
import re, sys, statistics as st
from collections import defaultdict
pairs = []
perbatch = defaultdict(list)
for f in sys.argv[1:]:
    runs = {}; cur = None; bn = 0
    for line in open(f):
        if line.startswith('=='):
            p = line.split(); cur = (p[1], p[2], int(p[4])); runs.setdefault(cur, {'wl': [], 'tot': [], 'ins': []}); bn = 0; continue
        if line.startswith('batch='):
            bn += 1
            d = dict(kv.split('=') for kv in line.split() if '=' in kv)
            if cur[1] == '500k': perbatch[(cur[0], bn, 'commit')].append(float(d['commit_s']))
            if bn >= 3: runs[cur]['tot'].append(float(d['total_s']))
        m = re.match(r'(writing links|inserting items): ([\d.]+)(ms|s)', line)
        if m:
            v = float(m.group(2)) / (1 if m.group(3) == 'ms' else 0.001)
            if cur[1] == '500k' and m.group(1) == 'inserting items': perbatch[(cur[0], bn, 'ins')].append(v)
            if bn >= 3: runs[cur]['wl' if m.group(1) == 'writing links' else 'ins'].append(v)
    for r in sorted(set(k[2] for k in runs)):
        h = runs.get(('H', '500k', r)); m = runs.get(('M', '500k', r))
        if h and m:
            pairs.append((f, r, st.mean(h['ins']), st.mean(m['ins']), st.mean(h['wl']), st.mean(m['wl']), st.mean(h['tot']), st.mean(m['tot'])))
for p in pairs:
    print('%-26s r%d inserting H %.0f M %.0f ms | links H %.1f M %.1f ms | total H %.3f M %.3f s' % p)
n = len(pairs)
print('inserting M>H in %d/%d rounds; links M<H in %d/%d; total M>H in %d/%d' % (
    sum(p[3] > p[2] for p in pairs), n, sum(p[5] < p[4] for p in pairs), n, sum(p[7] > p[6] for p in pairs), n))
print('median M-H: inserting %.1f ms, links %.1f ms, total %.1f ms' % (
    st.median(p[3] - p[2] for p in pairs), st.median(p[5] - p[4] for p in pairs), 1000 * st.median(p[7] - p[6] for p in pairs)))
for b in range(1, 9):
    print('batch %d: inserting H %.0f M %.0f ms, commit H %.3f M %.3f s (medians over rounds)' % (
        b, st.median(perbatch[('H', b, 'ins')]), st.median(perbatch[('M', b, 'ins')]),
        st.median(perbatch[('H', b, 'commit')]), st.median(perbatch[('M', b, 'commit')])))
