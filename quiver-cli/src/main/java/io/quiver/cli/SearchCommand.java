package io.quiver.cli;

import io.quiver.cli.io.VectorReader;
import io.quiver.cli.io.VectorRecord;
import io.quiver.index.Algorithm;
import io.quiver.index.IndexMetadata;
import io.quiver.index.IndexReader;
import io.quiver.index.Neighbor;
import io.quiver.index.SearchOptions;
import io.quiver.index.SearchResult;
import io.quiver.storage.ErrorKind;
import io.quiver.storage.ReadTxn;
import io.quiver.storage.Store;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.roaringbitmap.RoaringBitmap;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "search", mixinStandardHelpOptions = true, sortOptions = false,
        header = "Find the nearest neighbours of a vector, an item or a file of queries.",
        description = {"Finds the K nearest items of a vector, of a stored item, or of every vector in a file.",
            "Output: one line per neighbour, closest first: id<TAB>distance. With --queries every line starts with the "
                    + "0-based query number: query<TAB>id<TAB>distance. With --json: one JSON object per query and line, "
                    + "{\"query\": 0, \"neighbors\": [{\"id\": 7, \"distance\": 0.5}, ...], \"partial\": false}."})
final class SearchCommand implements Callable<Integer> {
    @Mixin
    Common common;

    @Option(names = "--db", required = true, paramLabel = "DIR", description = "store directory")
    Path db;

    @Option(names = "--index", paramLabel = "N", defaultValue = "0", description = "index number (default ${DEFAULT-VALUE})")
    int index;

    @Option(names = "--k", paramLabel = "K", defaultValue = "10", description = "neighbours to return (default ${DEFAULT-VALUE})")
    int k;

    @Option(names = "--ef", paramLabel = "E", description = "hnsw: search beam width (default: max(k, 64); a value below k is raised to k)")
    Integer ef;

    @Option(names = "--search-k", paramLabel = "S", description = "forest: candidates to examine, copies from several trees counted (default: k * trees; at least k distinct are examined)")
    Integer searchK;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Query query;

    static final class Query {
        @Option(names = "--vector", paramLabel = "V", description = "query vector, e.g. 0.1,0.2,0.3")
        String vector;

        @Option(names = "--item", paramLabel = "ID", description = "use the stored vector of this item as the query")
        Long item;

        @Option(names = "--queries", paramLabel = "FILE", description = "a file of query vectors (any import format)")
        Path queries;
    }

    @Option(names = "--filter", paramLabel = "IDS", description = "only return these ids, e.g. 1,5,10-99")
    String filter;

    @Option(names = "--json", description = "JSON output")
    boolean json;

    @Override
    public Integer call() throws IOException {
        if (k <= 0) {
            throw CliException.usage("--k must be positive");
        }
        if ((ef != null && ef <= 0) || (searchK != null && searchK <= 0)) {
            throw CliException.usage("--ef and --search-k must be positive");
        }
        io.quiver.storage.Keys.checkIndex(index);
        RoaringBitmap allowed = filter == null ? null : Ranges.parse(filter, "--filter");
        float[] vector = query.vector == null ? null : Ranges.parseVector(query.vector, "--vector");
        int item = query.item == null ? 0 : (int) Ranges.parseId(Long.toString(query.item), "--item");
        try (Store store = Cli.openStore(db, Cli.Access.READ); ReadTxn txn = store.read()) {
            IndexMetadata meta = IndexMetadata.require(txn, index);
            if (ef != null && meta.algorithm() == Algorithm.FOREST) {
                throw CliException.usage("--ef applies to hnsw indexes; index " + index + " is a forest: use --search-k");
            }
            if (searchK != null && meta.algorithm() == Algorithm.HNSW) {
                throw CliException.usage("--search-k applies to forest indexes; index " + index + " is hnsw: use --ef");
            }
            IndexReader reader = Indexes.openReader(txn, index);
            SearchOptions.Builder b = SearchOptions.builder().k(k).filter(allowed);
            if (ef != null) {
                b.ef(ef);
            }
            if (searchK != null) {
                b.searchK(searchK);
            }
            SearchOptions opts = b.build();
            if (vector != null) {
                if (vector.length != meta.dimensions()) {
                    throw CliException.of(ErrorKind.WRONG_DIMENSIONS, "--vector has " + vector.length + " dimensions, index " + index + " has " + meta.dimensions());
                }
                print(-1, reader.search(vector, opts));
            } else if (query.item != null) {
                if (!reader.contains(item)) {
                    throw CliException.of(ErrorKind.UNKNOWN_ITEM, "item " + Cli.id(item) + " is not in index " + index);
                }
                print(-1, reader.searchItem(item, opts));
            } else {
                try (VectorReader in = VectorReader.open(query.queries)) {
                    VectorCheck check = new VectorCheck(in, meta.dimensions(), "index " + index + " has", 0);
                    VectorRecord r;
                    long n = 0;
                    while ((r = in.next()) != null) {
                        float[] v = check.vector(r);
                        print(r.row(), reader.search(v, opts));
                        n++;
                    }
                    if (n == 0) {
                        throw CliException.badInput(query.queries + ": the file holds no vectors");
                    }
                }
            }
        }
        return ExitCodes.OK;
    }

    private void print(long q, SearchResult result) {
        if (json) {
            List<Object> ns = new ArrayList<>();
            for (Neighbor n : result.neighbors()) {
                ns.add(Json.obj("id", Integer.toUnsignedLong(n.id()), "distance", n.distance()));
            }
            CliOut.println(Json.write(q >= 0 ? Json.obj("query", q, "neighbors", ns, "partial", result.partial())
                    : Json.obj("neighbors", ns, "partial", result.partial())));
            return;
        }
        StringBuilder sb = new StringBuilder();
        for (Neighbor n : result.neighbors()) {
            if (q >= 0) {
                sb.append(q).append('\t');
            }
            sb.append(Cli.id(n.id())).append('\t').append(n.distance()).append('\n');
        }
        CliOut.print(sb.toString());
        if (result.partial()) {
            Cli.info("warning: the search stopped early; results are the best found so far");
        }
    }
}
