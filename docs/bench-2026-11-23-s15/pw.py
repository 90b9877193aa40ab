import os,sys,time,random
f=sys.argv[1]; n=int(sys.argv[2]); mode=sys.argv[3]
fd=os.open(f,os.O_RDWR); size=os.fstat(fd).st_size; pages=size//4096
buf=os.urandom(4096)
random.seed(int(sys.argv[4]) if len(sys.argv)>4 else 1)
if mode=='rand': offs=[random.randrange(pages)*4096 for _ in range(n)]
elif mode=='seq': offs=[(pages//2+i)*4096 for i in range(n)]
else: offs=[(pages+i)*4096 for i in range(n)]
t=time.perf_counter()
for o in offs: os.pwrite(fd,buf,o)
t1=time.perf_counter(); os.fdatasync(fd); t2=time.perf_counter()
print(f"{mode} n={n} write {t1-t:.3f}s ({(t1-t)/n*1e6:.1f} us each) sync {t2-t1:.3f}s")
