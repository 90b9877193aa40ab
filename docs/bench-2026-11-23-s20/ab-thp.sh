cd /work/main
for i in 1 2 3; do
  bash scripts/incremental.sh 1 > /tmp/s20/thp-off-$i.out 2>&1
  JAVA_OPTS="-XX:+UseTransparentHugePages" bash scripts/incremental.sh 1 > /tmp/s20/thp-on-$i.out 2>&1
done
