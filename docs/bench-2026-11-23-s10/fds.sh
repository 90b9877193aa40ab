#!/bin/bash
# Only fdatasync traced (strace --seccomp-bpf stops the process at that call alone, so it adds little
# overhead): 8 batches of 1,000 at each size with the jar of 36acdb0 (/tmp/qbH); commit_s per batch,
# then each fdatasync's duration.
J=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java
F="--add-modules=jdk.incubator.vector --enable-native-access=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED --add-opens=java.base/sun.nio.ch=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow"
for b in 500k 50k; do
  rm -rf /tmp/ins-copy; cp -r /tmp/n$b-base /tmp/ins-copy; sync
  echo "== $b $(date -u +%H:%M:%S)"
  strace -f --seccomp-bpf -T -e trace=fdatasync -o /tmp/s10/fds-$b.txt $J $F -Xmx1g -cp /tmp/qbH/quiver-bench/target/quiver-bench.jar io.quiver.bench.IncrementalBenchmark insert --db /tmp/ins-copy --insert 1000 --batches 8 2>&1 | grep -E "^batch=" | sed 's/.*\(batch=[0-9]*\).*total_s=\([0-9.]*\).*commit_s=\([0-9.]*\)/\1 total_s=\2 commit_s=\3/'
  echo "fdatasync_s: $(grep -o '<[0-9.]*>' /tmp/s10/fds-$b.txt | tr -d '<>' | tr '\n' ' ')"
done
