#!/usr/bin/env bash
# usage: folio.sh N mode(cp|reread) [batches] -> one insert process on a fresh copy of base N
set -e
cd /work/main
n=$1; mode=$2; b=${3:-8}
out=build/bench/incremental
rm -rf $out/fcopy; cp -rL $out/base-$n $out/fcopy; sync
if [ "$mode" = reread ]; then
  python3 -c "import os,sys; fd=os.open(sys.argv[1],os.O_RDONLY); os.posix_fadvise(fd,0,0,os.POSIX_FADV_DONTNEED)" $out/fcopy/data.mdb
  cat $out/fcopy/data.mdb > /dev/null
fi
/tmp/s19/pmd $out/fcopy/data.mdb 0 | grep FilePmd >&2
J=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java
$J --add-modules=jdk.incubator.vector --enable-native-access=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED --add-opens=java.base/sun.nio.ch=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow -Xmx1g \
  ${EXTRA:-} -cp quiver-bench/target/quiver-bench.jar io.quiver.bench.IncrementalBenchmark insert --db $out/fcopy --insert 1000 --batches $b 2>/dev/null | grep '^batch=' | sed 's/.*total_s=\([0-9.]*\).*build_s=\([0-9.]*\) commit_s=\([0-9.]*\).*/\1 (b \2 c \3)/' | tr '\n' ' '
echo
rm -rf $out/fcopy
