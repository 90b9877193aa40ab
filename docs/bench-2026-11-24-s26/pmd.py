import mmap, os, sys, re, time
path = sys.argv[1]; adv = sys.argv[2] == 'adv'
f = open(path, 'rb'); size = os.fstat(f.fileno()).st_size
m = mmap.mmap(f.fileno(), size, prot=mmap.PROT_READ)
if adv: m.madvise(mmap.MADV_HUGEPAGE)
t=time.time(); s=0
for off in range(0, size, 4096): s += m[off]
print('touched', size>>20, 'MiB in', round(time.time()-t,2), 's')
sm = open('/proc/self/smaps').read()
for block in sm.split('\n') :
    pass
cur=None
for line in sm.splitlines():
    if re.match(r'^[0-9a-f]+-[0-9a-f]+ ', line): cur=line
    elif cur and path.split('/')[-1] in cur and line.split(':')[0] in ('Rss','FilePmdMapped','AnonHugePages'):
        print(line)
