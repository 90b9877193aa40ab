# How many committed nodes' level-0 lists a run of batches touches, and what share of the link
# leaf pages they span, if each batch's reverse and incoming links were kept aside and folded in
# later. Input: one line per batch, "count id id ...", the ids whose level-0 outgoing or incoming
# list LinkWriter wrote (scratch-counters.diff, -Dqids=FILE). Pages are modelled as runs of 11
# consecutive ids in key order (the base's link leaves hold ~28 entries, two per node, at 58% fill).
import sys
n, path = int(sys.argv[1]), sys.argv[2]
per = 11
pages = n // per
union = set()
for b, line in enumerate(open(path)):
    old = {int(x) for x in line.split()[1:] if int(x) < n}
    union |= old
    pg = {x // per for x in union}
    if b + 1 in (1, 2, 3, 5, 10, 15, 20, 30):
        print(f"batch {b+1}: old nodes written this batch {len(old)}, since batch 1 {len(union)} "
              f"({len(union)/n:.0%} of nodes), on {len(pg)} of {pages} pages ({len(pg)/pages:.0%})")
