# Cost of a commit's page pattern on this VM's disk: N 4 KiB pages rewritten in a copy of the 500k
# base's data.mdb (pages already in the page cache), scattered / contiguous / in runs of 8, then
# one fdatasync. Run: python3 fsync-pattern.py build/bench/incremental/copy/data.mdb
import os, random, sys, time
fd = os.open(sys.argv[1], os.O_RDWR)
pages = os.fstat(fd).st_size // 4096
buf = os.urandom(4096)
def run(kind, n=6000):
    if kind == 'scatter':
        pg = sorted(random.sample(range(pages // 4, pages), n))
    elif kind == 'dense':
        s = random.randrange(pages // 4, pages - n); pg = list(range(s, s + n))
    else:  # runs of 8
        starts = sorted(random.sample(range(pages // 4, pages - 8, 8), n // 8)); pg = [s + i for s in starts for i in range(8)]
    t = time.time()
    for p in pg:
        os.pwrite(fd, buf, p * 4096)
    t1 = time.time(); os.fdatasync(fd); t2 = time.time()
    print(kind, n, 'pwrite %.3f fdatasync %.3f' % (t1 - t, t2 - t1))
for k in ['scatter', 'dense', 'semi', 'scatter', 'dense', 'semi']:
    run(k)
run('scatter', 3000); run('scatter', 12000); run('dense', 12000)
