# Pages and runs of pages each LMDB commit wrote, from `strace -f -e trace=fdatasync,pwrite64,lseek,writev`:
#   python3 commit-runs.py TRACE [GAP]   (runs at most GAP pages apart count as one)
import re
import sys


def commits_of(path):
    """Per commit (split at each fdatasync): the (file offset, bytes) of every write."""
    commits = [[]]
    pos = None
    for line in open(path).read().splitlines():
        m = re.search(r'pwrite64\((\d+), .*?, (\d+), (\d+)\) = (\d+)', line)
        if m:
            commits[-1].append((int(m.group(3)), int(m.group(2))))
            continue
        m = re.search(r'lseek\((\d+), (\d+), SEEK_SET\)', line)
        if m:
            pos = int(m.group(2))
            continue
        m = re.search(r'writev\((\d+), .*\) = (\d+)', line)
        if m:
            commits[-1].append((pos, int(m.group(2))))
            continue
        if 'fdatasync(' in line and commits[-1]:
            commits.append([])
    return commits


if __name__ == '__main__':
    gap = int(sys.argv[2]) if len(sys.argv) > 2 else 0
    for i, c in enumerate(commits_of(sys.argv[1])):
        if not c:
            continue
        pages = sum(s for _, s in c) // 4096
        runs = []
        cur = None
        for o, s in sorted(c):
            if cur and o <= cur[0] + cur[1] + gap * 4096:
                cur[1] = o + s - cur[0]
            else:
                cur = [o, s]
                runs.append(cur)
        print(i, 'writes', len(c), 'pages', pages, 'runs', len(runs))
