package io.quiver.index;

import org.roaringbitmap.RoaringBitmap;

/**
 * Changes one index inside a write transaction: add, delete, then {@code build} (in the family's
 * writer) to bring the structure up to date; nothing is visible to readers before the commit.
 */
public interface IndexWriter {
    /** The index number. */
    int index();

    /** Stores or replaces the vector of {@code id}. */
    void add(int id, float[] vector);

    /** Removes {@code id}; returns whether it existed. */
    boolean delete(int id);

    /** Removes every item. */
    void clear();

    boolean contains(int id);

    /** The stored vector, or null. */
    float[] vector(int id);

    /** Whether a build is needed before readers can open the index. */
    boolean needsBuild();

    /** Every stored id, built or not. */
    RoaringBitmap ids();
}
