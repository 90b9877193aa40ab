cd /work/main
OUT=/tmp/s20/eucl; mkdir -p $OUT
D=data/fashion-mnist; H=quiver-bench/peers/build/hnswlib_driver; EF=10,20,40,80,120,200,400
while pgrep -f final2.sh >/dev/null; do sleep 5; done
echo "== euclidean hnswlib $(date -u +%T) $(git rev-parse --short HEAD)" >> $OUT/eucl.log
$H --data $D --space l2 --M 16 --efc 200 --threads 2 --ef $EF --runs 3 >> $OUT/euclidean-hnswlib.csv 2>>$OUT/eucl.log
rm -rf $OUT/db
echo "== euclidean quiver build $(date -u +%T)" >> $OUT/eucl.log
./quiver bench --distance euclidean --algo hnsw --m 16 --ef-construction 200 --threads 2 --db $OUT/db --base $D/base.fvecs --queries $D/queries.fvecs --truth $D/truth.ivecs --sweep ef=$EF --runs 3 2>>$OUT/eucl.log >> $OUT/euclidean-quiver.csv
echo "== euclidean quiver reuse $(date -u +%T)" >> $OUT/eucl.log
./quiver bench --distance euclidean --algo hnsw --db $OUT/db --base $D/base.fvecs --queries $D/queries.fvecs --truth $D/truth.ivecs --sweep ef=$EF --runs 3 2>>$OUT/eucl.log | sed 's/^hnsw,/hnsw-reuse,/' >> $OUT/euclidean-quiver.csv
rm -rf $OUT/db
echo "== done $(date -u +%T)" >> $OUT/eucl.log
