#!/bin/bash
d=/work/main/data/fashion-mnist
for i in 1 2; do
  echo "hnswlib $i $(/tmp/s15/peers/hnswlib_driver --data $d --space l2 --M 16 --efc 200 --threads 2 --ef 20,40 --runs 1 2>&1 | tr '\n' ' ')"
  /tmp/s15/fm.sh 1 c015 | sed "s/^c015 1/c015 $i/"
done
