package io.quiver.index;

import java.util.Map;

/**
 * Statistics of one index: what every index has, plus the family's own figures in
 * {@code structure} (trees and depth for a forest, levels and degrees for a graph), under
 * snake_case keys, as the CLI prints them; means are rounded to two decimals.
 */
public record IndexStats(int index, String distance, int dimensions, Algorithm algorithm, long items, long structureBytes,
        long itemBytes, Map<String, Object> structure) {}
