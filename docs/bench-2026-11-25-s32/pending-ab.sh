#!/usr/bin/env bash
# A/B of the scratch "pending links" prototype (pending-links.diff on 022f1bb, -Dqpending=true):
# level-0 links that committed nodes only gain are kept in one sorted blob instead of being
# written into their lists, and folded into the lists once the blob names more than 20% of the
# nodes (-Dqfold). Searches do NOT read the blob: this measures the write side only.
# Each run: a fresh synced copy of a base, 24 batches of 1,000 in one process; prints the mean of
# batches 3-24; PENDING_OPTS adds options to the pending runs (-Dqfold=0.5). Usage: bash pending-ab.sh ROUNDS BASE_JAR PENDING_JAR  (from the repository root)
set -euo pipefail
rounds=$1; base_jar=$2; pend_jar=$3
out=build/bench/incremental
J=$(ls -d /usr/lib/jvm/temurin-25*/bin/java | head -n1)
flags=(--add-modules=jdk.incubator.vector --enable-native-access=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED
    --add-opens=java.base/sun.nio.ch=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow -Xmx1g)
for r in $(seq "$rounds"); do
  for variant in base pending; do
    for n in 50000 500000; do
      rm -rf "$out/copy"; cp -rL "$out/base-$n" "$out/copy"; sync
      if [ "$variant" = base ]; then jar=$base_jar; extra=(); else jar=$pend_jar; extra=(-Dqpending=true ${PENDING_OPTS:-}); fi
      log=$(mktemp)
      "$J" "${extra[@]}" "${flags[@]}" -cp "$jar" io.quiver.bench.IncrementalBenchmark insert --db "$out/copy" --insert 1000 --batches 24 2>/dev/null | grep '^batch=' > "$log"
      python3 - "$log" "$variant" "$n" "$r" <<'PY'
import re, sys, statistics as st
rows=[l for l in open(sys.argv[1])]
tot=[float(re.search(r'total_s=([\d.]+)',l).group(1)) for l in rows]
com=[float(re.search(r'commit_s=([\d.]+)',l).group(1)) for l in rows]
print(f"round {sys.argv[4]} {sys.argv[2]:8s} {sys.argv[3]:>6s}: mean batches 3-24 {st.mean(tot[2:24]):.3f} s, commit {st.mean(com[2:24]):.3f} s, "
      f"max batch {max(tot[2:24]):.3f} s, per batch " + " ".join(f"{x:.2f}" for x in tot))
PY
      rm -f "$log"
    done
  done
done
rm -rf "$out/copy"
