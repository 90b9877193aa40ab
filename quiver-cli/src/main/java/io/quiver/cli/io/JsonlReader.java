package io.quiver.cli.io;

import io.quiver.cli.CliException;
import io.quiver.cli.Json;
import java.io.BufferedInputStream;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * {@code .jsonl}: one JSON object a line, {@code {"id": 7, "vector": [0.1, 0.2]}} ({@code id}
 * optional; other keys ignored), or a bare array {@code [0.1, 0.2]}. Blank lines are skipped.
 */
final class JsonlReader implements VectorReader {
    private final Path file;
    private final CountingInput counter;
    private final BufferedReader in;
    private final long size;
    private long lineNo;
    private long row;

    JsonlReader(Path file) throws IOException {
        this.file = file;
        this.size = Files.size(file);
        this.counter = new CountingInput(new BufferedInputStream(Files.newInputStream(file), 1 << 16));
        this.in = new BufferedReader(new InputStreamReader(counter, StandardCharsets.UTF_8), 1 << 16);
    }

    @Override
    public boolean textual() {
        return true;
    }

    @Override
    public VectorRecord next() throws IOException {
        while (true) {
            String line = in.readLine();
            if (line == null) {
                return null;
            }
            lineNo++;
            if (lineNo == 1 && !line.isEmpty() && line.charAt(0) == '\uFEFF') {
                line = line.substring(1);
            }
            if (line.isBlank()) {
                continue;
            }
            Object value;
            try {
                value = Json.parse(line);
            } catch (IllegalArgumentException e) {
                throw CliException.badInput(where(lineNo) + ": invalid JSON: " + e.getMessage());
            }
            long id = VectorRecord.NO_ID;
            Object vec;
            if (value instanceof Map<?, ?> m) {
                if (!m.containsKey("vector")) {
                    throw CliException.badInput(where(lineNo) + ": the object has no \"vector\" key");
                }
                vec = m.get("vector");
                Object idv = m.get("id");
                if (idv != null) {
                    id = idOf(idv);
                }
            } else if (value instanceof List<?>) {
                vec = value;
            } else {
                throw CliException.badInput(where(lineNo) + ": expected an object {\"id\": ..., \"vector\": [...]}");
            }
            if (!(vec instanceof List<?> list)) {
                throw CliException.badInput(where(lineNo) + ": \"vector\" is not an array");
            }
            float[] v = new float[list.size()];
            for (int i = 0; i < v.length; i++) {
                if (!(list.get(i) instanceof Number num)) {
                    throw CliException.badInput(where(lineNo) + ": vector component " + i + " is not a number");
                }
                v[i] = num.floatValue();
            }
            return new VectorRecord(lineNo, row++, id, v);
        }
    }

    private long idOf(Object idv) {
        if (idv instanceof Long l) {
            return l;
        }
        if (idv instanceof BigInteger) {
            return Long.MAX_VALUE;
        }
        if (idv instanceof String s && s.matches("\\d{1,18}")) {
            return Long.parseLong(s);
        }
        throw CliException.badInput(where(lineNo) + ": \"id\" " + Json.write(idv) + " is not an integer");
    }

    @Override
    public long bytesRead() {
        return counter.count();
    }

    @Override
    public long totalBytes() {
        return size;
    }

    @Override
    public String name() {
        return file.toString();
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
