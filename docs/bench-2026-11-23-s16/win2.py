import sys, collections, re
samples = []  # (comm, tid, time, stack)
cur = None
for line in open(sys.argv[1]):
    line = line.rstrip('\n')
    if not line.strip():
        if cur: samples.append(cur); cur = None
        continue
    if line[0] not in ' \t':
        if cur: samples.append(cur)
        m = re.match(r'(.+?)\s+(\d+)\s+([\d.]+):', line)
        cur = (m.group(1), int(m.group(2)), float(m.group(3)), [])
    else:
        parts = line.strip().split(' ', 1)
        cur[3].append(parts[1] if len(parts) > 1 else parts[0])
if cur: samples.append(cur)
mark = [s for s in samples if any(('LinkWriter' in f or 'IncomingLinkChanges' in f or 'IslandRescue' in f) for f in s[3])]
tid = collections.Counter(s[1] for s in mark).most_common(1)[0][0]
t0 = min(s[2] for s in mark if s[1] == tid); t1 = max(s[2] for s in mark if s[1] == tid)
print('tid', tid, 'window %.3f s' % (t1 - t0))
win = [s for s in samples if s[1] == tid and t0 <= s[2] <= t1]
allwin = [s for s in samples if t0 <= s[2] <= t1]
print('samples on tid', len(win), 'all threads', len(allwin), collections.Counter(s[0] for s in allwin).most_common(6))
leaf = collections.Counter(s[3][0] if s[3] else '?' for s in win)
for k, v in leaf.most_common(30): print('%5d %s' % (v, k[:140]))
print('--- first quiver frame')
fr = collections.Counter(next((f for f in s[3] if 'io.quiver' in f), '?') for s in win)
for k, v in fr.most_common(25): print('%5d %s' % (v, k[:140]))
print('--- kernel involvement')
kc = collections.Counter()
for s in win:
    for f in s[3]:
        if f in ('asm_exc_page_fault','do_anonymous_page','filemap_fault','do_wp_page','wp_page_copy','clear_page_erms','__x64_sys_pwrite64','do_fault','entry_SYSCALL_64_after_hwframe'):
            kc[f] += 1
print(kc)
