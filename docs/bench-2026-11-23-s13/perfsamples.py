"""Reads the text of `perf script -F comm,tid,time,ip,sym` into (comm, tid, time, frames) samples."""
import re


def load(path):
    recs = []
    for s in open(path).read().split('\n\n'):
        lines = s.strip('\n').split('\n')
        if len(lines) < 2:
            continue
        m = re.match(r'^(.*?)\s+(\d+)\s+([\d.]+):', lines[0])
        if not m:
            continue
        frames = [re.sub(r'^\s*[0-9a-f]+\s+', '', l) for l in lines[1:]]
        recs.append((m.group(1), m.group(2), float(m.group(3)), frames))
    return recs
