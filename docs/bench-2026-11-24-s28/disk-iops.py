# Random against sequential 4 KiB page writes, then fdatasync, in a scratch file the size of the
# 500k incremental base: what an LMDB commit of N scattered dirty pages costs on this disk.
#   python3 disk-iops.py /path/on/the/same/filesystem/scratch.bin
import os, random, sys, time
path = sys.argv[1]
size = 2_700_000_000
pages = size // 4096
with open(path, 'wb') as f:
    f.truncate(size)
fd = os.open(path, os.O_RDWR)
buf = os.urandom(1 << 20)
for off in range(0, size, 1 << 20):          # allocate and write every block once, then sync
    os.pwrite(fd, buf, off)
os.fdatasync(fd)
page = os.urandom(4096)
random.seed(1)
cases = [('random 13,400 of the whole file', 13400, 'all'), ('random 4,500 of the whole file', 4500, 'all'),
         ('random 4,500 among the first 65,000 pages (a 50k store)', 4500, 'small'),
         ('sequential 13,400', 13400, 'seq'), ('sequential 4,500', 4500, 'seq')]
for rep in range(3):
    for label, n, how in cases:
        if how == 'seq':
            s = random.randrange(pages - n); offs = list(range(s, s + n))
        elif how == 'small':
            offs = sorted(random.sample(range(65000), n))
        else:
            offs = sorted(random.sample(range(pages), n))
        t0 = time.time()
        for o in offs:
            os.pwrite(fd, page, o * 4096)
        t1 = time.time(); os.fdatasync(fd); t2 = time.time()
        print(f'round {rep + 1}: {label}: pwrite {1000 * (t1 - t0):.1f} ms, fdatasync {1000 * (t2 - t1):.1f} ms')
os.close(fd)
os.remove(path)
