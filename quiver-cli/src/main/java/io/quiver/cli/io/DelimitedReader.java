package io.quiver.cli.io;

import io.quiver.cli.CliException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code .csv} / {@code .tsv}: one vector a line. The first line is a header when one of its fields
 * is not a number; a header column named {@code id} gives the ids, every other column is a
 * component. Blank lines are skipped; fields may be double-quoted.
 */
final class DelimitedReader implements VectorReader {
    private final Path file;
    private final char sep;
    private final TextLines lines;
    private final long size;
    private long row;
    private boolean started;
    private int idColumn = -1;
    /** The header's column count, which every line must have; 0 without a header. */
    private int headerColumns;
    private final List<String> fields = new ArrayList<>();

    DelimitedReader(Path file, char sep) throws IOException {
        this.file = file;
        this.sep = sep;
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
            split(line);
            if (!started) {
                started = true;
                if (isHeader()) {
                    headerColumns = fields.size();
                    for (int i = 0; i < fields.size(); i++) {
                        if (fields.get(i).trim().equalsIgnoreCase("id")) {
                            if (idColumn >= 0) {
                                throw CliException.badInput(where(lines.lineNo()) + ": the header has two id columns");
                            }
                            idColumn = i;
                        }
                    }
                    continue;
                }
            }
            return parse();
        }
    }

    /**
     * Whether the first line is a header: it names an {@code id} column, or none of its fields is
     * a number. A line of numbers with one that is not (a typo in the first vector) is neither, and
     * is refused rather than dropped as a header.
     */
    private boolean isHeader() {
        int numbers = 0;
        int firstNumber = -1;
        int firstText = -1;
        for (int i = 0; i < fields.size(); i++) {
            String t = fields.get(i).trim();
            if (t.equalsIgnoreCase("id")) {
                return true;
            }
            if (t.isEmpty()) {
                continue;
            }
            try {
                FloatText.parse(t);
                numbers++;
                firstNumber = firstNumber < 0 ? i : firstNumber;
            } catch (NumberFormatException e) {
                firstText = firstText < 0 ? i : firstText;
            }
        }
        if (fields.size() == 1 && firstText == 0) {
            // one field of numbers joined by another separator: a vector in a file of the other
            // kind, taken as a header, left "the file holds no vectors" (a review helper's run)
            String hint = otherSeparator(fields.get(0).trim());
            if (!hint.isEmpty()) {
                throw CliException.badInput(where(lines.lineNo()) + ": '" + shorten(fields.get(0).trim()) + "' is not a number" + hint);
            }
        }
        if (firstText >= 0 && numbers > 0) {
            throw CliException.badInput(where(lines.lineNo()) + ": column " + (firstText + 1) + " '" + shorten(fields.get(firstText).trim())
                    + "' is not a number but column " + (firstNumber + 1) + " is: the first line is neither a header (names only, or an"
                    + " 'id' column) nor a vector");
        }
        return firstText >= 0;
    }

    private VectorRecord parse() {
        if (headerColumns > 0 && fields.size() != headerColumns) {
            // a short or long line would import as a vector of another dimension, or lose its id
            throw CliException.badInput(where(lines.lineNo()) + ": the line has " + fields.size() + " columns, the header "
                    + headerColumns);
        }
        int n = fields.size() - (idColumn >= 0 ? 1 : 0);
        float[] v = new float[Math.max(0, n)];
        long id = VectorRecord.NO_ID;
        int c = 0;
        for (int i = 0; i < fields.size(); i++) {
            String t = fields.get(i).trim();
            if (i == idColumn) {
                id = parseId(t);
                continue;
            }
            // columns count from 1 as in a spreadsheet; components from 0 as in the vector checks
            String column = "column " + (i + 1) + " (component " + c + ")";
            if (t.isEmpty()) {
                throw CliException.badInput(where(lines.lineNo()) + ": " + column + " is empty");
            }
            try {
                v[c] = FloatText.parse(t);
            } catch (NumberFormatException e) {
                throw CliException.badInput(where(lines.lineNo()) + ": " + column + " '" + shorten(t) + "' is not a number"
                        + (fields.size() == 1 ? otherSeparator(t) : ""));
            }
            if (FloatText.beyondFloatRange(t, v[c])) {
                throw CliException.of(io.quiver.storage.ErrorKind.INVALID_VECTOR, where(lines.lineNo()) + ": " + column + " " + FloatText.beyondRangeMessage(t));
            }
            if (!Float.isFinite(v[c])) {
                // refused here, where the column is known, rather than by the vector check after
                throw CliException.of(io.quiver.storage.ErrorKind.INVALID_VECTOR, where(lines.lineNo()) + ": " + column + " is " + v[c]);
            }
            c++;
        }
        if (idColumn >= 0 && idColumn >= fields.size()) {
            throw CliException.badInput(where(lines.lineNo()) + ": the line has no id column (" + fields.size() + " columns)");
        }
        if (c < v.length) {
            v = java.util.Arrays.copyOf(v, c);
        }
        return new VectorRecord(lines.lineNo(), row++, id, v);
    }

    private long parseId(String t) {
        try {
            return Long.parseLong(t);
        } catch (NumberFormatException e) {
            if (t.matches("-?\\d+")) {
                return Long.MAX_VALUE;
            }
            throw CliException.badInput(where(lines.lineNo()) + ": id '" + shorten(t) + "' is not an integer");
        }
    }

    /**
     * When {@code field} is numbers joined by a separator other than this file's, says so and how
     * the separator is chosen; otherwise "".
     */
    private String otherSeparator(String field) {
        for (char other : new char[] {',', ';', '\t', '|', ' '}) {
            if (other == sep || field.indexOf(other) < 0) {
                continue;
            }
            String[] parts = field.split(java.util.regex.Pattern.quote(String.valueOf(other)) + (other == ' ' ? "+" : ""));
            boolean numbers = parts.length > 1;
            for (String part : parts) {
                try {
                    FloatText.parse(part.trim());
                } catch (NumberFormatException e) {
                    numbers = false;
                    break;
                }
            }
            if (numbers) {
                return ": the line looks separated by " + name(other) + ", and a ." + (sep == '\t' ? "tsv" : "csv") + " file is split on "
                        + name(sep) + " (.csv on commas, .tsv on tabs)";
            }
        }
        return "";
    }

    private static String name(char separator) {
        return switch (separator) {
            case ',' -> "commas";
            case ';' -> "semicolons";
            case '\t' -> "tabs";
            case '|' -> "bars";
            default -> "spaces";
        };
    }

    static String shorten(String s) {
        return s.length() > 40 ? s.substring(0, 37) + "..." : s;
    }

    private void split(String line) {
        fields.clear();
        StringBuilder cur = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char ch = line.charAt(i);
            if (quoted) {
                if (ch == '"') {
                    if (i + 1 < line.length() && line.charAt(i + 1) == '"') {
                        cur.append('"');
                        i++;
                    } else {
                        quoted = false;
                    }
                } else {
                    cur.append(ch);
                }
            } else if (ch == '"') {
                quoted = true;
            } else if (ch == sep) {
                fields.add(cur.toString());
                cur.setLength(0);
            } else {
                cur.append(ch);
            }
        }
        if (quoted) {
            throw CliException.badInput(where(lines.lineNo()) + ": unterminated quote");
        }
        fields.add(cur.toString());
        // A trailing separator ("1,2,3,") leaves an empty last field: ignore it.
        if (fields.size() > 1 && fields.get(fields.size() - 1).isBlank()) {
            fields.remove(fields.size() - 1);
        }
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

    @SuppressWarnings("unused")
    private static String lower(String s) {
        return s.toLowerCase(Locale.ROOT);
    }
}
