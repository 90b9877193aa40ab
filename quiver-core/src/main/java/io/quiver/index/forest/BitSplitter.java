package io.quiver.index.forest;

import io.quiver.distance.BinaryDistance;
import io.quiver.storage.NativeMemory;
import java.util.SplittableRandom;

/**
 * Splits bit vectors on one bit, as Annoy does for Hamming: the candidate bits are ones where two
 * random items differ, and the one closest to halving a sample of the set wins.
 */
final class BitSplitter extends Splitter {
    private static final int CANDIDATES = 8;
    private static final int SAMPLE = 256;
    private final int dims;
    private final int words;

    BitSplitter(BinaryDistance distance) {
        this.dims = distance.dimensions();
        this.words = distance.words();
    }

    @Override
    int scratchBytes() {
        return 64;
    }

    @Override
    BuildNode.Split createSplit(IntList ids, BuildSource src, SplittableRandom rnd) {
        int n = ids.size();
        int best = -1;
        int bestImbalance = Integer.MAX_VALUE;
        int found = 0;
        for (int attempt = 0; attempt < 4 * CANDIDATES && found < CANDIDATES; attempt++) {
            long a = src.item(ids.get(rnd.nextInt(n)));
            long b = src.item(ids.get(rnd.nextInt(n)));
            int w = rnd.nextInt(words);
            int bit = -1;
            for (int t = 0; t < words && bit < 0; t++) {
                int ww = (w + t) % words;
                long x = NativeMemory.getLong(a + BinaryDistance.PAYLOAD + 8L * ww) ^ NativeMemory.getLong(b + BinaryDistance.PAYLOAD + 8L * ww);
                if (x != 0) {
                    int pick = rnd.nextInt(Long.bitCount(x));
                    long y = x;
                    for (int s = 0; s < pick; s++) {
                        y &= y - 1;
                    }
                    bit = ww * 64 + Long.numberOfTrailingZeros(y);
                }
            }
            if (bit < 0 || bit >= dims) {
                continue;
            }
            found++;
            int sample = Math.min(n, SAMPLE);
            int ones = 0;
            for (int s = 0; s < sample; s++) {
                int idx = sample == n ? s : rnd.nextInt(n);
                if (BinaryDistance.bit(src.item(ids.get(idx)), bit)) {
                    ones++;
                }
            }
            int imbalance = Math.abs(2 * ones - sample);
            if (imbalance < bestImbalance) {
                bestImbalance = imbalance;
                best = bit;
            }
        }
        if (best < 0) {
            return null;
        }
        // Make sure the chosen bit really splits the whole set, not just the sample.
        int ones = 0;
        for (int t = 0; t < n; t++) {
            if (BinaryDistance.bit(src.item(ids.get(t)), best)) {
                ones++;
            }
        }
        return ones == 0 || ones == n ? null : new BuildNode.Bit(best);
    }

    @Override
    boolean goesRight(BuildNode.Split split, long item, BuildSource src) {
        return BinaryDistance.bit(item, ((BuildNode.Bit) split).bit);
    }
}
