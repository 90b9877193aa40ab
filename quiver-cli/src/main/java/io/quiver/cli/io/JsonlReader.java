package io.quiver.cli.io;

import io.quiver.cli.CliException;
import io.quiver.cli.Json;
import java.io.IOException;
import java.math.BigInteger;
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
    private final TextLines lines;
    private final long size;
    private long row;

    JsonlReader(Path file) throws IOException {
        this.file = file;
        this.size = Files.size(file);
        this.lines = new TextLines(file);
    }

    @Override
    public boolean textual() {
        return true;
    }

    @Override
    public VectorRecord next() throws IOException {
        while (true) {
            String line = lines.next();
            if (line == null) {
                return null;
            }
            Object value;
            try {
                value = Json.parseAllowingNonFinite(line);
            } catch (IllegalArgumentException e) {
                throw CliException.badInput(where(lines.lineNo()) + ": invalid JSON: " + e.getMessage());
            }
            long id = VectorRecord.NO_ID;
            Object vec;
            if (value instanceof Map<?, ?> m) {
                if (!m.containsKey("vector")) {
                    throw CliException.badInput(where(lines.lineNo()) + ": the object has no \"vector\" key");
                }
                vec = m.get("vector");
                Object idv = m.get("id");
                if (idv != null) {
                    id = idOf(idv);
                }
            } else if (value instanceof List<?>) {
                vec = value;
            } else {
                throw CliException.badInput(where(lines.lineNo()) + ": expected an object {\"id\": ..., \"vector\": [...]}");
            }
            if (!(vec instanceof List<?> list)) {
                throw CliException.badInput(where(lines.lineNo()) + ": \"vector\" is not an array");
            }
            float[] v = new float[list.size()];
            for (int i = 0; i < v.length; i++) {
                if (list.get(i) instanceof Json.NonFinite nf) {
                    v[i] = (float) nf.value(); // Python's spelling: the vector checks refuse it as such
                    continue;
                }
                if (!(list.get(i) instanceof Number num)) {
                    throw CliException.badInput(where(lines.lineNo()) + ": vector component " + i + " is not a number");
                }
                v[i] = num.floatValue();
                if (Float.isInfinite(v[i])) {
                    // a literal too large for a float
                    throw CliException.of(io.quiver.storage.ErrorKind.INVALID_VECTOR, where(lines.lineNo()) + ": vector component " + i + " "
                            + FloatText.beyondRangeMessage(Double.isFinite(num.doubleValue()) ? spelled(num) : null));
                }
            }
            return new VectorRecord(lines.lineNo(), row++, id, v);
        }
    }

    /**
     * A parsed JSON number as a person would write it: {@code 1e39} rather than Java's
     * {@code 1.0E39}, so that an error names the value the way the file most likely spelled it.
     */
    static String spelled(Number num) {
        String t = String.valueOf(num);
        int e = t.indexOf('E');
        if (e < 0) {
            return t;
        }
        String mantissa = t.substring(0, e);
        if (mantissa.endsWith(".0")) {
            mantissa = mantissa.substring(0, mantissa.length() - 2);
        }
        return mantissa + "e" + t.substring(e + 1);
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
        throw CliException.badInput(where(lines.lineNo()) + ": \"id\" " + Json.write(idv) + " is not an integer");
    }

    @Override
    public long bytesRead() {
        return lines.bytesRead();
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
        lines.close();
    }
}
