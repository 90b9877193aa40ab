import re,sys
# per fdatasync: group writes on data.mdb fd since the previous sync
for f in sys.argv[1:]:
    print(f)
    fds=set()
    writes=[]
    for line in open(f):
        m=re.search(r'openat\(.*data\.mdb".*= (\d+)',line)
        if m: fds.add(m.group(1)); continue
        m=re.search(r'(\d\d:\d\d:\d\d\.\d+) (pwrite64|pwritev|pwritev2|writev)\((\d+),.*?(\d+)\) = (\d+) <([\d.]+)>',line)
        if m and m.group(3) in fds:
            off=int(m.group(4)); n=int(m.group(5)); writes.append((off,n,float(m.group(6))))
            continue
        m=re.search(r'(\d\d:\d\d:\d\d\.\d+) (fdatasync|fsync)\((\d+)\).*<([\d.]+)>',line)
        if m and m.group(3) in fds:
            if writes:
                offs=sorted(o for o,_,_ in writes)
                pages=sum(n for _,n,_ in writes)//4096
                runs=1+sum(1 for a,b in zip(offs,offs[1:]) if b-a>4096*64)
                print(f"{m.group(1)} sync {float(m.group(4)):.3f}s writes={len(writes)} pages={pages} wtime={sum(t for *_,t in writes):.3f} span_MiB={(offs[-1]-offs[0])/2**20:.0f} min_MiB={offs[0]/2**20:.0f} gaps>256K={runs}")
            else:
                print(f"{m.group(1)} sync {float(m.group(4)):.3f}s (no writes)")
            writes=[]
