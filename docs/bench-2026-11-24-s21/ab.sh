# usage: ab.sh tag jarA jarB pairs [JAVA_OPTS for both]
cd /work/main
tag=$1; a=$2; b=$3; n=$4
for i in $(seq $n); do
  JAR=$a bash scripts/incremental.sh 1 > /tmp/s21/$tag-A-$i.out 2>&1
  JAR=$b bash scripts/incremental.sh 1 > /tmp/s21/$tag-B-$i.out 2>&1
done
for f in /tmp/s21/$tag-[AB]-*.out; do echo "$(basename $f) $(sed -n '5,7p' $f | awk -F'|' '{printf "%s/%s  ", $4,$5}')"; done
