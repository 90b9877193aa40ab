package io.quiver.cli;

import io.quiver.cli.io.VectorReader;
import io.quiver.cli.io.VectorRecord;
import io.quiver.distance.DistanceKind;
import io.quiver.index.IndexMetadata;
import io.quiver.index.ItemStore;
import io.quiver.storage.ErrorKind;
import io.quiver.storage.QuiverException;
import io.quiver.storage.WriteTxn;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/** Streams one vector file into an index inside a write transaction (the caller commits). */
final class Importer {
    /** {@code replaced}: ids that already held a vector, now overwritten (a second file without ids restarts at 0). */
    record Result(long count, long minId, long maxId, int dims, DistanceKind kind, boolean created, long replaced) {}

    private Importer() {}

    /**
     * Adds every vector of {@code file} to {@code index}, creating the index when absent (then
     * {@code kind} is required). Stops at the first bad record with {@code file:line: cause}; the
     * caller's transaction then aborts, so nothing is committed.
     */
    static Result run(WriteTxn txn, Path file, int index, DistanceKind kind, Integer dimensions, long firstId) {
        try (VectorReader reader = VectorReader.open(file);
                Progress bar = Progress.start("import " + file.getFileName(), Math.max(1, reader.totalBytes() >> 20), "MiB", 1)) {
            IndexMetadata meta = IndexMetadata.read(txn, index);
            boolean created = meta == null;
            int dims;
            String dimsFrom;
            if (meta != null) {
                if (kind != null && kind != meta.distanceKind()) {
                    throw CliException.of(ErrorKind.INDEX_MISMATCH, "index " + index + " exists with distance " + meta.distanceKind().cliName()
                            + ", not " + kind.cliName());
                }
                if (dimensions != null && dimensions != meta.dimensions()) {
                    throw CliException.of(ErrorKind.INDEX_MISMATCH, "index " + index + " exists with " + meta.dimensions() + " dimensions, not " + dimensions);
                }
                kind = meta.distanceKind();
                dims = meta.dimensions();
                dimsFrom = "index " + index + " has";
            } else {
                if (kind == null) {
                    throw CliException.usage("index " + index + " does not exist yet: give --distance to create it");
                }
                if (dimensions != null) {
                    dims = dimensions;
                    dimsFrom = "--dimensions is";
                } else if (reader.declaredDimensions() > 0) {
                    dims = reader.declaredDimensions();
                    dimsFrom = "the file header says";
                } else {
                    dims = -1;
                    dimsFrom = null;
                }
            }
            if (reader.declaredDimensions() > 0 && dims > 0 && reader.declaredDimensions() != dims) {
                throw CliException.of(ErrorKind.WRONG_DIMENSIONS, reader.name() + ": the array has " + reader.declaredDimensions()
                        + " dimensions, " + dimsFrom + " " + dims);
            }
            VectorCheck check = new VectorCheck(reader, dims, dimsFrom, firstId);
            ItemStore items = null;
            long count = 0;
            long replaced = 0;
            long min = Long.MAX_VALUE;
            long max = -1;
            long last = -1;
            VectorRecord r;
            while ((r = reader.next()) != null) {
                float[] v = check.vector(r);
                int id = check.id(r);
                if (items == null) {
                    items = meta != null ? ItemStore.open(txn, index) : ItemStore.create(txn, index, kind, check.dims());
                }
                long uid = Integer.toUnsignedLong(id);
                if (uid < last) {
                    items.disableAppend();
                }
                last = uid;
                if (meta != null && items.item(id) != null) {
                    replaced++;
                }
                try {
                    items.add(id, v);
                } catch (QuiverException e) {
                    throw CliException.at(reader.where(r.line()), e);
                }
                count++;
                min = Math.min(min, uid);
                max = Math.max(max, uid);
                if ((count & 1023) == 0) {
                    if (Cli.cancelled) {
                        throw new CliException(ExitCodes.CANCELLED, "import cancelled at " + reader.where(r.line()) + ": nothing was committed");
                    }
                    bar.stepTo(reader.bytesRead() >> 20);
                }
            }
            if (count == 0) {
                throw CliException.badInput(reader.name() + ": the file holds no vectors");
            }
            bar.stepTo(reader.totalBytes() >> 20);
            return new Result(count, min, max, check.dims(), kind, created, replaced);
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": " + e.getMessage(), e);
        }
    }
}
