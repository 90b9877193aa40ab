# main (writer) thread of perf-opened.data, per 50 ms: samples and the first user-level frames
import re,sys,collections
tid=int(sys.argv[2]); samples=[];cur=None
for line in open(sys.argv[1]):
    m=re.match(r'^(\S.*?)\s+(\d+)\s+([\d.]+):\s*$',line)
    if m: cur=[m.group(1),int(m.group(2)),float(m.group(3)),[]]; samples.append(cur); continue
    s=line.split()
    if len(s)>=2 and cur: cur[3].append(s[1])
t0=samples[0][2]
main=[s for s in samples if s[1]==tid]
skip=('_','ext4','filemap','x64','do_','entry','vfs','generic','asm','exc','handle','clear','xas','folio','lru','alloc','get_page','rmqueue','memcg','mem_cgroup','charge','page','pte','vma')
for b in range(int(sys.argv[3]),int(sys.argv[4])):
    a=b*0.05
    w=[s for s in main if a<=s[2]-t0<a+0.05]
    top=collections.Counter()
    for s in w:
        top[next((f for f in s[3] if not f.startswith(skip)), s[3][0] if s[3] else '?')]+=1
    print('%.2f s %3d samples %s'%(a,len(w),top.most_common(3)))
