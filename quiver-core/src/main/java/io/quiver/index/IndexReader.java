package io.quiver.index;

import org.roaringbitmap.RoaringBitmap;

/**
 * Searches one built index inside a read transaction. Not thread-safe (it keeps scratch space and
 * a cache of where items sit in the map): use one reader per thread, each on its own
 * {@link io.quiver.storage.ReadTxn}.
 */
public interface IndexReader {
    /** The {@code k} nearest items to {@code query}. */
    SearchResult search(float[] query, SearchOptions options);

    /** The nearest items to the stored item {@code id} (the item itself included). */
    SearchResult searchItem(int id, SearchOptions options);

    /** The stored vector, or null. */
    float[] vector(int id);

    boolean contains(int id);

    /** Number of items. */
    long size();

    /** Every item id. */
    RoaringBitmap ids();

    /** Structure statistics, computed now (may read the whole structure). */
    IndexStats stats();
}
