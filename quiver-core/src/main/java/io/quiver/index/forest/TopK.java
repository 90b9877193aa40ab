package io.quiver.index.forest;

import io.quiver.index.Neighbor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Keeps the k smallest (distance, id) pairs seen: a max-heap on primitive arrays. */
final class TopK {
    private float[] dist = new float[16];
    private int[] ids = new int[16];
    private int size;
    private int k;

    void reset(int k) {
        this.k = k;
        size = 0;
        if (dist.length < k) {
            dist = new float[k];
            ids = new int[k];
        }
    }

    /** The distance a candidate must beat to enter, +inf while fewer than k are held. */
    float bound() {
        return size < k ? Float.POSITIVE_INFINITY : dist[0];
    }

    void offer(float d, int id) {
        if (size < k) {
            int i = size++;
            while (i > 0) {
                int p = (i - 1) >>> 1;
                if (dist[p] >= d) {
                    break;
                }
                dist[i] = dist[p];
                ids[i] = ids[p];
                i = p;
            }
            dist[i] = d;
            ids[i] = id;
        } else if (d < dist[0]) {
            replaceFarthest(d, id);
        }
    }

    /** Puts (d, id) in place of the farthest held pair and restores the heap. */
    private void replaceFarthest(float d, int id) {
        int i = 0;
        while (true) {
            int c = 2 * i + 1;
            if (c >= size) {
                break;
            }
            if (c + 1 < size && dist[c + 1] > dist[c]) {
                c++;
            }
            if (dist[c] <= d) {
                break;
            }
            dist[i] = dist[c];
            ids[i] = ids[c];
            i = c;
        }
        dist[i] = d;
        ids[i] = id;
    }

    /** Drops the farthest pairs until at most {@code n} are held. */
    void keep(int n) {
        while (size > n) {
            // the last pair takes the root's place, then sinks
            size--;
            if (size > 0) {
                replaceFarthest(dist[size], ids[size]);
            }
        }
    }

    /** Copies the held ids (in heap order) into {@code out}; returns their count. */
    int drainIds(int[] out) {
        System.arraycopy(ids, 0, out, 0, size);
        return size;
    }

    /** The held pairs, closest first, with distances converted by {@code toUser}. */
    List<Neighbor> sorted(java.util.function.DoubleUnaryOperator toUser) {
        Neighbor[] out = new Neighbor[size];
        for (int i = 0; i < size; i++) {
            out[i] = new Neighbor(ids[i], (float) toUser.applyAsDouble(dist[i]));
        }
        Arrays.sort(out);
        return new ArrayList<>(Arrays.asList(out));
    }
}
