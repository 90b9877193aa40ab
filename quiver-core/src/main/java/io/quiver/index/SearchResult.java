package io.quiver.index;

import java.util.List;

/**
 * The answer to a search: neighbours closest first, and whether the search stopped early
 * (cancelled or past its deadline) so that the list is the best found so far, not the best.
 */
public record SearchResult(List<Neighbor> neighbors, boolean partial) {
    public int size() {
        return neighbors.size();
    }

    public int[] ids() {
        return neighbors.stream().mapToInt(Neighbor::id).toArray();
    }
}
