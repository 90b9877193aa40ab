#!/bin/bash
# usage: touch.sh jar n "JVMOPTS" label
cd /tmp/s24
J=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java
F="--add-modules=jdk.incubator.vector --enable-native-access=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED --add-opens=java.base/sun.nio.ch=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow -Xmx1g"
rm -rf copy; cp -rL /work/main/build/bench/incremental/base-$2 copy; cat copy/data.mdb > /dev/null; sync
$J $F $3 -cp $1 io.quiver.bench.IncrementalBenchmark insert --db copy --insert 1000 --batches 8 2>/dev/null | grep '^batch=' > run.tmp
python3 - "$4" "$2" <<'PY'
import re,sys,statistics as st
rows=[dict(kv.split('=') for kv in l.split()) for l in open('/tmp/s24/run.tmp')]
s=rows[2:]
f=lambda k: st.median(float(r[k]) for r in s)
print(f"{sys.argv[1]:>14} n={sys.argv[2]:>6} batch1={float(rows[0]['total_s']):.3f} steady total={f('total_s'):.3f} build={f('build_s'):.3f} commit={f('commit_s'):.3f}")
PY
