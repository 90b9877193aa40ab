import os,sys,time,random
f=sys.argv[1]; n=int(sys.argv[2])
fd=os.open(f,os.O_RDWR); size=os.fstat(fd).st_size; pages=size//4096
buf=os.urandom(4096)
random.seed(7)
offs=[random.randrange(pages)*4096 for _ in range(n)]
for rep in range(3):
    t=time.perf_counter()
    for o in offs: os.pwrite(fd,buf,o)
    t1=time.perf_counter()
    if rep==1: os.fdatasync(fd)
    t2=time.perf_counter()
    print(f"rep {rep} write {t1-t:.3f}s ({(t1-t)/n*1e6:.1f} us each) sync {t2-t1:.3f}s")
t=time.perf_counter()
for o in offs: os.pread(fd,4096,o)
print(f"pread {(time.perf_counter()-t)/n*1e6:.1f} us each")
