package io.quiver.cli.io;

import io.quiver.cli.CliException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Streams vectors out of a file, one at a time: never the whole file in memory. Formats are chosen
 * by extension: {@code .fvecs}, {@code .bvecs}, {@code .npy} (2-D float32, C order),
 * {@code .csv}/{@code .tsv} (one vector a line, optional header with an {@code id} column) and
 * {@code .jsonl} ({@code {"id": 7, "vector": [...]}} a line).
 *
 * <p>Malformed input throws {@link CliException} (exit code 3) with {@code file:line: cause}.
 */
public interface VectorReader extends AutoCloseable {
    /** The next vector, or null at the end of the file. */
    VectorRecord next() throws IOException;

    /** Dimensions declared by the file header before reading (npy), or -1. */
    default int declaredDimensions() {
        return -1;
    }

    /** Vectors declared by the file (npy, or fvecs/bvecs by size), or -1 when unknown. */
    default long declaredCount() {
        return -1;
    }

    /** Bytes consumed so far (for progress). */
    long bytesRead();

    /** The size of the file. */
    long totalBytes();

    /** The file's name as shown in messages. */
    String name();

    /** Whether records are numbered by line (text) or by vector (binary). */
    default boolean textual() {
        return false;
    }

    @Override
    void close() throws IOException;

    /** {@code name:line} for messages. */
    default String where(long line) {
        return name() + ":" + line;
    }

    static VectorReader open(Path file) throws IOException {
        String n = file.getFileName() == null ? file.toString() : file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (!java.nio.file.Files.exists(file)) {
            throw new CliException(io.quiver.cli.ExitCodes.NOT_FOUND, file + ": no such file");
        }
        if (java.nio.file.Files.isDirectory(file)) {
            throw new CliException(io.quiver.cli.ExitCodes.IO, file + ": is a directory, not a vector file");
        }
        if (n.endsWith(".fvecs")) {
            return new VecsReader(file, false);
        }
        if (n.endsWith(".bvecs")) {
            return new VecsReader(file, true);
        }
        if (n.endsWith(".npy")) {
            return new NpyReader(file);
        }
        if (n.endsWith(".csv")) {
            return new DelimitedReader(file, ',');
        }
        if (n.endsWith(".tsv") || n.endsWith(".tab")) {
            return new DelimitedReader(file, '\t');
        }
        if (n.endsWith(".jsonl") || n.endsWith(".ndjson")) {
            return new JsonlReader(file);
        }
        throw CliException.badInput(file + ": unknown file type; expected .fvecs, .bvecs, .npy, .csv, .tsv or .jsonl");
    }
}
