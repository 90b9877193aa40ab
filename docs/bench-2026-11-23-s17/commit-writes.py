# Per commit (one fdatasync each): write calls, of them writev (runs of up to 64 pages), pages
# written, seconds in the write calls, and the fdatasync line. Input: strace -f -T -e
# trace=pwrite64,pwritev,writev,fdatasync,fsync -o FILE <the insert process>
import re, sys
n = b = nv = 0; tot = 0.0
for l in open(sys.argv[1]):
    m = re.search(r'(pwrite64|writev)\(.*= (\d+) <([\d.]+)>', l)
    if m:
        n += 1; b += int(m.group(2)); tot += float(m.group(3)); nv += m.group(1) == 'writev'
    if 'fdatasync' in l or 'fsync(' in l:
        print('calls', n, 'writev', nv, 'pages', round(b / 4096), 'write_s', round(tot, 3), l.strip()[-30:])
        n = b = nv = 0; tot = 0.0
