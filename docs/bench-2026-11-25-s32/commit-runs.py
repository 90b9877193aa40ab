import re, sys
lines=open(sys.argv[1]).read().splitlines()
commits=[[]];pos=None
for l in lines:
    m=re.search(r'pwrite64\((\d+), .*?, (\d+), (\d+)\) = (\d+)',l)
    if m: commits[-1].append((int(m.group(3)), int(m.group(2)))); continue
    m=re.search(r'lseek\((\d+), (\d+), SEEK_SET\)',l)
    if m: pos=int(m.group(2)); continue
    m=re.search(r'writev\((\d+), .*\) = (\d+)',l)
    if m: commits[-1].append((pos,int(m.group(2)))); continue
    if 'fdatasync(' in l and commits[-1]: commits.append([])
for i,c in enumerate(commits):
    if not c: continue
    pages=sum(s for _,s in c)//4096
    offs=sorted(c); runs=[];cur=None
    for o,s in offs:
        if cur and o<=cur[0]+cur[1]+int(sys.argv[2] if len(sys.argv)>2 else 0)*4096: cur[1]=o+s-cur[0]
        else: cur=[o,s]; runs.append(cur)
    print(i,'writes',len(c),'pages',pages,'runs',len(runs))
