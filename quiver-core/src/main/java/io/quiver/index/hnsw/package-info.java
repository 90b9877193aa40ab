/**
 * The HNSW index family: a hierarchical navigable small-world graph stored in LMDB.
 *
 * <pre>{@code
 * store.write(txn -> {
 *     HnswWriter w = HnswWriter.create(txn, 0, DistanceKind.EUCLIDEAN, 784);
 *     w.add(1, vector);
 *     w.build(HnswBuildOptions.defaults());
 * });
 * try (ReadTxn txn = store.read()) {
 *     SearchResult r = HnswReader.open(txn, 0).search(query, SearchOptions.builder().k(10).ef(64).build());
 * }
 * }</pre>
 *
 * <h2>Storage</h2>
 * <ul>
 *   <li>{@code [index][LINKS][id][level]}: the node's neighbours on {@code level} as bare
 *       little-endian u32 ids (count = value length / 4), read in place by searches. Levels are
 *       drawn with multiplier {@code 1/ln(m)}; a node has lists for levels 0..its top level.</li>
 *   <li>{@code [index][LINKS][id][0x80 | level]}: the node's <em>incoming</em> links on that level,
 *       sorted. Searches never read them; they sit next to the outgoing lists (same key prefix) and
 *       make deletion exact and proportional to the change: the nodes that point to a deleted one
 *       are read from its incoming list instead of scanning the graph, and a node left without
 *       incoming links, or a small island of nodes that only name each other, is seen and linked
 *       in. They cost about as many bytes as the outgoing lists
 *       (a few percent of the vectors).</li>
 *   <li>{@code [index][METADATA][IndexMetadata.HNSW]}: entry point, top level, m, m0,
 *       efConstruction, alpha, seed ({@link io.quiver.index.hnsw.HnswMetadata}).</li>
 * </ul>
 *
 * <h2>Building without patching LMDB</h2>
 * A build computes every change in memory and writes at the end from the caller's thread. Worker
 * threads read the last commit through their own read transactions; what the open write
 * transaction changed is in a heap overlay ({@code BuildGraph}): new items' bytes copied off-heap,
 * lists of new nodes, of nodes that deleted ones touched, and of nodes an earlier build in the same
 * transaction wrote ({@code TxnDirtyNodes}). Deletions are repaired first (each node that pointed to
 * a deleted one keeps its surviving links and refills the freed places from the deleted node's
 * neighbours), then new items are inserted in parallel with per-node locks, as in hnswlib. The
 * writer thread then writes the changed lists and their incoming lists, and {@code IslandRescue}
 * links in nodes that no search could reach any more (islands that pruning or deletions left),
 * within the limits its comment states.
 */
package io.quiver.index.hnsw;
