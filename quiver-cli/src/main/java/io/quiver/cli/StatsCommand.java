package io.quiver.cli;

import io.quiver.index.Algorithm;
import io.quiver.index.IndexMetadata;
import io.quiver.index.IndexStats;
import io.quiver.index.ItemStore;
import io.quiver.storage.ReadTxn;
import io.quiver.storage.Store;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "stats", mixinStandardHelpOptions = true, sortOptions = false,
        header = "Show indexes, sizes, structure, map size and readers.",
        description = "Shows a store's indexes (distance, dimensions, items, algorithm and its structure), bytes on disk, map size and readers.")
final class StatsCommand implements Callable<Integer> {
    @Mixin
    Common common;

    @Option(names = "--db", required = true, paramLabel = "DIR", description = "store directory")
    Path db;

    @Option(names = "--index", paramLabel = "N", description = "only this index")
    Integer index;

    @Option(names = "--json", description = "JSON output")
    boolean json;

    @Override
    public Integer call() {
        try (Store store = Cli.openStore(db, Cli.Access.READ)) {
            Map<String, Object> storeInfo;
            List<Map<String, Object>> indexes = new ArrayList<>();
            List<CliException> errors = new ArrayList<>();
            try (ReadTxn txn = store.read()) {
                List<Integer> which;
                // the store's count, whichever are shown (it counted those shown: 1 with --index)
                int inStore = txn.indexes().size();
                if (index != null) {
                    io.quiver.storage.Keys.checkIndex(index);
                    IndexMetadata.require(txn, index);
                    which = List.of(index);
                } else {
                    which = txn.indexes();
                }
                for (int i : which) {
                    indexes.add(indexStats(txn, i, errors));
                }
                storeInfo = Json.obj("directory", store.directory().toString(), "format_version", io.quiver.storage.Store.FORMAT_VERSION,
                        "file_bytes", store.fileBytes(), "map_size", store.mapSize(), "page_size", store.pageSize(),
                        "readers", store.readers(), "oldest_reader_commits_behind", store.readerLag(), "indexes", inStore);
            }
            if (json) {
                CliOut.println(Json.write(Json.obj("store", storeInfo, "indexes", indexes)));
            } else {
                printText(storeInfo, indexes);
            }
            if (!errors.isEmpty()) {
                // every index is shown first; then the first failure's line and exit code (a damaged
                // index printed "error: tree node 1405 is corrupted" and exited 0: a review helper's run)
                CliException first = errors.get(0);
                throw new CliException(first.exitCode(), first.getMessage() + (errors.size() > 1 ? " (and " + (errors.size() - 1) + " more index(es); see above)" : ""), first);
            }
        }
        return ExitCodes.OK;
    }

    static Map<String, Object> indexStats(ReadTxn txn, int i, List<CliException> errors) {
        // the same keys every time, null when the index cannot say (metadata unreadable, not
        // built, changes pending): a consumer reading d["item_bytes"] got a KeyError (a review
        // helper's find)
        Map<String, Object> m = Json.obj("index", i, "distance", null, "dimensions", null, "items", null, "algorithm", null, "needs_build", null,
                "structure_bytes", null, "item_bytes", null, "structure", null, "error", null);
        try {
            // inside the catch too: damaged metadata of one index hid every other (a review helper's store)
            IndexMetadata meta = IndexMetadata.require(txn, i);
            ItemStore items = ItemStore.open(txn, i);
            boolean needsBuild = items.needsBuild();
            m.put("distance", meta.distanceKind().cliName());
            m.put("dimensions", meta.dimensions());
            m.put("items", items.currentIds().getLongCardinality());
            m.put("algorithm", meta.algorithm().cliName());
            m.put("needs_build", needsBuild);
            if (meta.algorithm() != Algorithm.NONE && !needsBuild) {
                IndexStats s = Indexes.openReader(txn, i).stats();
                m.put("structure_bytes", s.structureBytes());
                m.put("item_bytes", s.itemBytes());
                m.put("structure", s.structure());
            }
        } catch (io.quiver.storage.QuiverException | CliException e) {
            m.put("error", e.getMessage());
            int code = e instanceof CliException c ? c.exitCode() : ExitCodes.of(((io.quiver.storage.QuiverException) e).kind());
            errors.add(new CliException(code, "index " + i + ": " + e.getMessage(), e));
        }
        return m;
    }

    private static void printText(Map<String, Object> s, List<Map<String, Object>> indexes) {
        CliOut.println("store " + s.get("directory") + " (format " + s.get("format_version") + ")");
        CliOut.println("  bytes on disk: " + Cli.bytes((Long) s.get("file_bytes")) + " (" + s.get("file_bytes") + ")");
        CliOut.println("  map size:      " + Cli.bytes((Long) s.get("map_size")) + " (" + s.get("map_size") + ")");
        CliOut.println("  page size:     " + s.get("page_size"));
        long behind = (Long) s.get("oldest_reader_commits_behind");
        CliOut.println("  readers:       " + s.get("readers") + (behind > 0 ? " (the oldest " + behind + " commit(s) behind: the pages freed since cannot be reused while it stays open)" : ""));
        CliOut.println("  indexes:       " + s.get("indexes") + (indexes.size() == 1 && !s.get("indexes").equals(1) ? " (one shown)" : ""));
        for (Map<String, Object> m : indexes) {
            if (m.get("distance") == null) {
                CliOut.println("index " + m.get("index") + ": error: " + m.get("error"));
                continue;
            }
            CliOut.println("index " + m.get("index") + ": " + m.get("distance") + ", " + m.get("dimensions") + " dimensions, "
                    + (m.get("items") == null ? "?" : m.get("items")) + " items, " + (m.get("algorithm") == null ? "?" : m.get("algorithm"))
                    + (Boolean.TRUE.equals(m.get("needs_build")) ? " (needs build)" : ""));
            if (m.get("structure_bytes") != null) {
                CliOut.println("  structure bytes: " + Cli.bytes((Long) m.get("structure_bytes")) + ", item bytes: " + Cli.bytes((Long) m.get("item_bytes")));
            }
            if (m.get("structure") instanceof Map<?, ?> st) {
                for (Map.Entry<?, ?> e : st.entrySet()) {
                    Object v = e.getValue();
                    CliOut.println("  " + e.getKey() + ": " + (v instanceof Map || v instanceof List ? Json.write(v) : v == null ? "none" : String.valueOf(v)));
                }
            }
            if (m.get("error") != null) {
                CliOut.println("  error: " + m.get("error"));
            }
        }
    }

}
