#!/bin/bash
# Same store contents with two CLI jars: an HNSW index grown in rounds of deletes, re-adds (a deleted
# id coming back with a new vector) and new items, 1 build thread (deterministic), compared by mdb_dump -a.
J=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java
F="--add-modules=jdk.incubator.vector --enable-native-access=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED --add-opens=java.base/sun.nio.ch=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow"
dist=${DIST:-euclidean}
d=/tmp/s13/eqdata; mkdir -p $d
python3 - <<'PY'
import random
r=random.Random(5)
def w(name, ids, dims=24):
    with open('/tmp/s13/eqdata/'+name,'w') as f:
        for i in ids:
            c=(i*7919)%40
            f.write(','.join('%.4f'%(c*0.1+r.gauss(0,1)) for _ in range(dims))+'\n')
w('base.csv', range(0,4000))
for k in range(5):
    w('new%d.csv'%k, range(4000+k*300, 4000+(k+1)*300))
    w('back%d.csv'%k, range(k*50, k*50+40))   # deleted below, then back with new vectors
PY
for X in ${JARS:-A C}; do
  db=/tmp/s13/eq-$X; rm -rf $db
  q="$J $F -jar /tmp/qb$X/quiver-cli/target/quiver.jar"
  $q import --db $db --distance $dist $d/base.csv >/dev/null
  $q build --db $db --algo hnsw --m 8 --ef-construction 60 --threads 1 >/dev/null
  for k in 0 1 2 3 4; do
    lo=$((k*50)); hi=$((k*50+39))
    $q delete --db $db --ids "$lo-$hi,$((1000+k*97)),$((2000+k*13))-$((2000+k*13+20))" >/dev/null
    $q build --db $db --algo hnsw --threads 1 >/dev/null
    $q import --db $db $d/new$k.csv --first-id $((4000+k*300)) >/dev/null
    $q import --db $db $d/back$k.csv --first-id $lo >/dev/null
    $q delete --db $db --ids "$((3000+k*31))-$((3000+k*31+5))" >/dev/null
    $q build --db $db --algo hnsw --threads 1 >/dev/null
  done
  $q check --db $db | tail -1
  echo "$X: $(mdb_dump -a $db | md5sum)"
done
