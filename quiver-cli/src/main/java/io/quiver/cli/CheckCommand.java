package io.quiver.cli;

import io.quiver.distance.Distance;
import io.quiver.distance.DistanceKind;
import io.quiver.distance.ScalarQuantizer;
import io.quiver.index.Algorithm;
import io.quiver.index.IndexMetadata;
import io.quiver.index.IndexReader;
import io.quiver.index.ItemCodes;
import io.quiver.index.ItemStore;
import io.quiver.index.SearchOptions;
import io.quiver.index.SearchResult;
import io.quiver.storage.KeyKind;
import io.quiver.storage.PageCheck;
import io.quiver.storage.QuiverException;
import io.quiver.storage.ReadTxn;
import io.quiver.storage.Store;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.roaringbitmap.RoaringBitmap;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "check", mixinStandardHelpOptions = true, sortOptions = false,
        header = "Verify a store and its indexes.",
        description = {"Verifies a store: LMDB's own pages are sound (read from the file, before LMDB reads any: a damaged "
                    + "page would otherwise crash the process), it opens, every index's metadata and every item decode, the structure is sound "
                    + "(the family's own check: every tree or graph holds exactly the live items, and every node of an HNSW "
                    + "graph is reachable from its entry point), sampled items' int8 codes match their vectors, and sampled items find "
                    + "themselves by search. An HNSW item that a search misses although it is reachable is named as weakly linked, "
                    + "which is not damage.",
            "Prints OK or the problems; exits with 4 when it found any."})
final class CheckCommand implements Callable<Integer> {
    @Mixin
    Common common;

    @Option(names = "--db", required = true, paramLabel = "DIR", description = "store directory")
    Path db;

    @Option(names = "--index", paramLabel = "N", description = "only this index")
    Integer index;

    @Option(names = "--samples", paramLabel = "N", defaultValue = "20", description = "items searched for themselves per index (default ${DEFAULT-VALUE})")
    int samples;

    @Override
    public Integer call() {
        if (samples < 0) {
            throw CliException.usage("--samples must not be negative, got " + samples);
        }
        int problems = 0;
        if (Files.isRegularFile(db.resolve("data.mdb"))) {
            // LMDB trusts its pages: walk them first, so that a damaged one is reported, not crashed on
            PageCheck.Report pages = PageCheck.run(db);
            // pages() == 0: no LMDB meta page, not a store at all; a layout only other programs
            // write: not Quiver's; opening it below says so in one line
            if (!pages.ok() && pages.pages() > 0 && !pages.foreignLayout()) {
                for (String s : pages.problems()) {
                    CliOut.println("  PROBLEM pages: " + s);
                }
                CliOut.println("LMDB's pages are damaged (" + pages.problems().size() + " problem(s) listed); Quiver did not read the store further: restore a backup");
                return ExitCodes.CHECK_FAILED;
            }
            if (pages.ok()) {
                CliOut.println("pages: " + pages.inUse() + " in use, " + pages.free() + " free, " + pages.entries() + " entries" + (pages.pinned() ? "" : " (not pinned)") + ": sound");
            }
        }
        try (Store store = Cli.openStore(db, Cli.Access.READ); ReadTxn txn = store.read()) {
            List<Integer> which;
            if (index != null) {
                io.quiver.storage.Keys.checkIndex(index);
                IndexMetadata.require(txn, index);
                which = List.of(index);
            } else {
                which = txn.indexes();
            }
            // the store's own count: with --index, checking one of 14 said "1 index(es)" (a review helper's find)
            CliOut.println("store " + store.directory() + ": opens (format " + Store.FORMAT_VERSION + ", " + txn.indexes().size() + " index(es))");
            for (int i : which) {
                List<String> p = checkIndex(txn, i);
                problems += p.size();
                for (String s : p) {
                    CliOut.println("  PROBLEM index " + i + ": " + s);
                }
            }
        }
        if (problems == 0) {
            CliOut.println("OK");
            return ExitCodes.OK;
        }
        CliOut.println(problems + " problem(s) found");
        return ExitCodes.CHECK_FAILED;
    }

    private List<String> checkIndex(ReadTxn txn, int i) {
        List<String> problems = new ArrayList<>();
        IndexMetadata meta;
        try {
            meta = IndexMetadata.require(txn, i);
        } catch (QuiverException e) {
            problems.add(e.getMessage());
            return problems;
        }
        Distance distance = meta.distance();
        RoaringBitmap stored = new RoaringBitmap();
        long[] bad = {0};
        txn.scan(i, KeyKind.ITEM, (id, level, value) -> {
            stored.add(id);
            try {
                distance.checkItem(value, id);
            } catch (QuiverException e) {
                if (bad[0]++ < 5) {
                    problems.add(e.getMessage());
                }
            }
            return true;
        });
        if (bad[0] > 5) {
            problems.add((bad[0] - 5) + " more item(s) do not decode");
        }
        ItemStore items = ItemStore.open(txn, i);
        boolean needsBuild;
        try {
            needsBuild = items.needsBuild();
        } catch (QuiverException e) {
            problems.add("cannot read the pending changes: " + e.getMessage());
            return problems;
        }
        String head = "index " + i + ": " + meta.distanceKind().cliName() + ", " + meta.dimensions() + " dimensions, " + stored.getLongCardinality()
                + " items, " + meta.algorithm().cliName();
        if (meta.algorithm() == Algorithm.NONE || needsBuild) {
            CliOut.println(head + (needsBuild ? ", needs build: structure not checked" : ""));
            return problems;
        }
        IndexReader reader;
        try {
            reader = Indexes.openReader(txn, i);
        } catch (QuiverException | CliException e) {
            problems.add("cannot open a reader: " + e.getMessage());
            return problems;
        }
        if (reader.size() != stored.getLongCardinality()) {
            problems.add("the structure counts " + reader.size() + " items, " + stored.getLongCardinality() + " are stored");
        }
        RoaringBitmap ids = reader.ids();
        if (!ids.equals(stored)) {
            RoaringBitmap extra = RoaringBitmap.andNot(ids, stored);
            RoaringBitmap missing = RoaringBitmap.andNot(stored, ids);
            problems.add("the structure's id set differs from the stored items: " + extra.getLongCardinality() + " without a vector, "
                    + missing.getLongCardinality() + " not indexed");
        }
        List<String> verified = null;
        try {
            verified = Indexes.verify(reader);
        } catch (QuiverException e) {
            problems.add("structure check failed: " + e.getMessage());
        }
        if (verified != null) {
            problems.addAll(verified);
        }
        int found = 0;
        int tried = 0;
        // A graph whose every node is reachable from the entry point (verified above) is sound even
        // when a search misses a node: the neighbour heuristic can leave one with no link from its
        // nearest neighbours (an item of a 5,392-item cosine index at m 8 was found from ef 800 up),
        // which the tests tolerate too. Such misses are named, not counted as damage.
        boolean reachable = meta.algorithm() == Algorithm.HNSW && verified != null && verified.isEmpty();
        List<String> weak = new ArrayList<>();
        long n = stored.getLongCardinality();
        if (n > 0 && samples > 0) {
            int step = (int) Math.max(1, n / samples);
            // a generous effort: a miss should mean an item searches cannot reach, not a small beam
            SearchOptions opts = meta.algorithm() == Algorithm.HNSW ? SearchOptions.builder().k(10).ef(200).build() : SearchOptions.builder().k(10).build();
            // A search can miss an item whose code is damaged (it walks on codes) and still find it
            // by the exact re-ranking, or not; either way the code is checked against the vector.
            ScalarQuantizer codes = null;
            try {
                codes = ItemCodes.read(txn, i, distance);
            } catch (QuiverException e) {
                problems.add("cannot read the int8 code range: " + e.getMessage());
            }
            for (int r = 0; r < n && tried < samples; r += step) {
                int id = stored.select(r);
                tried++;
                if (codes != null && !ItemCodes.matchesItem(txn, i, distance, codes, id)) {
                    problems.add("int8 code of item " + Cli.id(id) + " does not match its vector");
                }
                SearchResult res;
                try {
                    res = reader.searchItem(id, opts);
                } catch (QuiverException e) {
                    problems.add("searching item " + Cli.id(id) + " failed: " + e.getMessage());
                    continue;
                }
                boolean self = false;
                for (int x : res.ids()) {
                    self |= x == id;
                }
                // A duplicate vector at distance 0 may legitimately take the item's place, and a zero
                // cosine vector is at distance 1 from everything, itself included: any ten will do.
                boolean tie = !res.neighbors().isEmpty() && res.neighbors().get(0).distance() <= 1e-5f;
                if (self || tie || isZeroCosine(txn, i, meta, id)) {
                    found++;
                } else if (reachable) {
                    weak.add(Cli.id(id));
                } else if (meta.distanceKind() != DistanceKind.DOT) {
                    problems.add("item " + Cli.id(id) + " is not among the 10 nearest of itself");
                }
            }
        }
        CliOut.println(head + ", " + (verified != null ? "structure verified, " : "") + found + "/" + tried + " sampled items find themselves"
                + (weak.isEmpty() ? "" : "; not found by a search at ef 200 but reachable from the entry point (weakly linked, not damage): "
                        + (weak.size() == 1 ? "item " : weak.size() + " items, ") + String.join(", ", weak.subList(0, Math.min(10, weak.size())))
                        + (weak.size() > 10 ? ", ..." : "")));
        return problems;
    }

    /** Whether item {@code id} of a cosine index is a zero vector (its stored norm, the header, is 0). */
    private static boolean isZeroCosine(ReadTxn txn, int index, IndexMetadata meta, int id) {
        if (meta.distanceKind() != DistanceKind.COSINE) {
            return false;
        }
        java.nio.ByteBuffer item = txn.get(index, KeyKind.ITEM, id);
        return item != null && item.remaining() >= Distance.PAYLOAD && Distance.header(io.quiver.storage.NativeMemory.address(item)) == 0f;
    }
}
