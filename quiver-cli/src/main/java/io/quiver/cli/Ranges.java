package io.quiver.cli;

import org.roaringbitmap.RoaringBitmap;

/** Parses id lists such as {@code "1,5,10-99"} (unsigned 32-bit ids, inclusive ranges). */
public final class Ranges {
    public static final long MAX_ID = 0xFFFF_FFFFL;

    private Ranges() {}

    public static RoaringBitmap parse(String text, String option) {
        RoaringBitmap b = new RoaringBitmap();
        if (text == null || text.isBlank()) {
            throw CliException.usage(option + " is empty; expected ids like 1,5,10-99");
        }
        for (String part : text.split(",")) {
            String p = part.trim();
            if (p.isEmpty()) {
                continue;
            }
            int dash = p.indexOf('-', 1);
            if (dash < 0) {
                long id = parseId(p, option);
                b.add((int) id);
            } else {
                if (p.substring(dash + 1).isBlank()) {
                    throw CliException.usage(option + ": range '" + p + "' has no end (ranges are inclusive, like 10-99)");
                }
                long lo = parseId(p.substring(0, dash).trim(), option);
                long hi = parseId(p.substring(dash + 1).trim(), option);
                if (hi < lo) {
                    throw CliException.usage(option + ": range '" + p + "' ends before it starts");
                }
                b.add(lo, hi + 1);
            }
        }
        if (b.isEmpty()) {
            throw CliException.usage(option + " lists no ids");
        }
        return b;
    }

    public static long parseId(String s, String option) {
        long v;
        try {
            v = Long.parseLong(s.trim());
        } catch (NumberFormatException e) {
            throw CliException.usage(option + ": '" + s + "' is not an id (ids are integers 0.." + MAX_ID + ")");
        }
        if (v < 0 || v > MAX_ID) {
            throw CliException.usage(option + ": id " + s + " is outside 0.." + MAX_ID);
        }
        return v;
    }

    /** Parses a comma-separated vector such as {@code "0.1,0.2,0.3"}. */
    public static float[] parseVector(String text, String option) {
        String t = text.trim();
        if (t.startsWith("[") && t.endsWith("]")) {
            t = t.substring(1, t.length() - 1).trim(); // "[ 0.1 -0.2]", as numpy prints
        }
        if (t.endsWith(",")) {
            t = t.substring(0, t.length() - 1).trim(); // a trailing comma, as before
        }
        if (t.isBlank()) {
            throw CliException.of(io.quiver.storage.ErrorKind.INVALID_VECTOR, option + " is an empty vector");
        }
        // a comma with only spaces around it, or a run of spaces, separates: "1,,2" has an empty component
        String[] parts = t.split("\\s*,\\s*|\\s+", -1);
        float[] v = new float[parts.length];
        for (int n = 0; n < parts.length; n++) {
            String p = parts[n];
            if (p.isEmpty()) {
                throw CliException.usage(option + ": component " + n + " is empty");
            }
            try {
                v[n] = io.quiver.cli.io.FloatText.parse(p);
            } catch (NumberFormatException e) {
                throw CliException.usage(option + ": component " + n + " '" + p + "' is not a number");
            }
            if (io.quiver.cli.io.FloatText.beyondFloatRange(p, v[n])) {
                throw CliException.of(io.quiver.storage.ErrorKind.INVALID_VECTOR, option + ": component " + n + " " + io.quiver.cli.io.FloatText.beyondRangeMessage(p));
            }
            if (!Float.isFinite(v[n])) {
                throw CliException.of(io.quiver.storage.ErrorKind.INVALID_VECTOR, option + ": component " + n + " is " + v[n]);
            }
        }
        return v;
    }
}
