package io.quiver.index;

/**
 * A reader's memory of where values sit in LMDB's map for the life of its snapshot: id to
 * address. Ids below a bound known at open (the largest id when ids are dense, the usual case)
 * live in a plain array, one load per lookup; others in a hash map, up to a size limit beyond
 * which lookups simply go back to LMDB. Not thread-safe: one per reader.
 */
public final class AddressCache {
    private final long[] dense;
    private final IntLongMap sparse = new IntLongMap(64);
    private final int sparseLimit;

    /**
     * @param largestId the largest id expected (unsigned), or -1 when unknown
     * @param count how many ids exist
     * @param sparseLimit most entries kept for ids outside the dense range
     */
    public AddressCache(long largestId, long count, int sparseLimit) {
        long span = largestId + 1;
        boolean useDense = largestId >= 0 && denseEnough(span, count) && span <= (1 << 28);
        this.dense = new long[useDense ? (int) span : 0];
        this.sparseLimit = sparseLimit;
    }

    /**
     * Whether {@code count} ids spread over {@code span} consecutive values are dense enough for an
     * array indexed by id: at most four slots per id, plus slack so that small sets always qualify.
     */
    public static boolean denseEnough(long span, long count) {
        return span <= 4 * count + 1024;
    }

    /** The cached address of {@code id}, or 0. */
    public long get(int id) {
        if (id >= 0 && id < dense.length) {
            return dense[id];
        }
        return sparse.get(id, 0L);
    }

    /** Remembers the address of {@code id} (non-zero). */
    public void put(int id, long address) {
        if (id >= 0 && id < dense.length) {
            dense[id] = address;
        } else if (sparse.size() < sparseLimit) {
            sparse.put(id, address);
        }
    }
}
