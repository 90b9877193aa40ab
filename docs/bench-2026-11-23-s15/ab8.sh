#!/bin/bash
# A/B of fresh processes of 8 batches: $1 rounds, then jar names under /tmp/s15/jars
r=$1; shift
for i in $(seq $r); do for n in 500000 50000; do for j in "$@"; do
  echo "$j $n $i $(/tmp/s15/run1.sh /tmp/s15/jars/$j.jar $n 8 | grep -E '^batch=' | sed -E 's/ ms_per_item=[^ ]+//; s/inserted=1000 //' | tr '\n' ' ')"
done; done; done
