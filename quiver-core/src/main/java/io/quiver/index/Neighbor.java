package io.quiver.index;

/**
 * One search result: an item id (an unsigned 32-bit value held in an {@code int}; print it with
 * {@link Integer#toUnsignedString(int)}) and its distance to the query as users see it.
 */
public record Neighbor(int id, float distance) implements Comparable<Neighbor> {
    @Override
    public int compareTo(Neighbor o) {
        int c = Float.compare(distance, o.distance);
        return c != 0 ? c : Integer.compareUnsigned(id, o.id);
    }

    @Override
    public String toString() {
        return Integer.toUnsignedString(id) + ":" + distance;
    }
}
