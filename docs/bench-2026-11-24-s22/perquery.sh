#!/bin/bash
# perquery.sh ef passes jar...: for each round and jar, a process searching the 500k x 768 index
# (scale.sh's copy) with a new snapshot and reader per query (SearchPasses.java -DperQuery=true,
# printed as PerQuery), then one with one reader for all queries (printed as Passes); prints every
# pass's q/s (1,000 queries a pass).
ef=$1; passes=$2; shift 2
J=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java
F="--add-modules=jdk.incubator.vector --enable-native-access=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED --add-opens=java.base/sun.nio.ch=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow -XX:+UseParallelGC"
H=$(dirname "$0")
for r in ${ROUNDS_LIST:-1 2}; do
  for jar in "$@"; do
    for h in PerQuery Passes; do
      echo "round $r $(basename $jar) $h: $($J $F -DperQuery=$([ $h = PerQuery ] && echo true || echo false) -cp $jar $H/SearchPasses.java ${D:-/tmp/s22/scale}/db ${D:-/tmp/s22/scale}/queries.fvecs $ef $passes 2>/dev/null | grep pass | awk '{print $3}' | tr '\n' ' ')"
    done
  done
done
