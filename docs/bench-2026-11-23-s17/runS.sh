#!/bin/bash
# runS.sh N JAR "props" -> prints per-batch total/build/commit + mean of batches 3-8
out=/work/main/build/bench/incremental
J=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java
FL="--add-modules=jdk.incubator.vector --enable-native-access=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED --add-opens=java.base/sun.nio.ch=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow"
rm -rf $out/copy; cp -rL $out/base-$1 $out/copy; sync
$J $FL $3 -Xmx1g -cp $2 io.quiver.bench.IncrementalBenchmark insert --db $out/copy --insert 1000 --batches 8 2>/dev/null > /tmp/runS.out
python3 - <<'PY'
import re
t=[];c=[];w=[]
for l in open('/tmp/runS.out'):
    m=re.search(r'total_s=([\d.]+).*commit_s=([\d.]+)',l)
    if m: t.append(float(m.group(1))); c.append(float(m.group(2)))
    m=re.search(r'writing links: ([\d.]+)(ms|s)',l)
    if m: w.append(float(m.group(1))/(1 if m.group(2)=='ms' else 0.001))
import statistics as st
print('b1 %.3f steady %.3f commit %.3f writing_ms %.0f'%(t[0], st.mean(t[2:8]), st.mean(c[2:8]), st.mean(w[2:8])))
PY
