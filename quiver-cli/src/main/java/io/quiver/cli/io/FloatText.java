package io.quiver.cli.io;

import java.util.Locale;

/**
 * Numbers written as text (CSV/TSV fields, {@code --vector}), read the same way everywhere so
 * that one spelling gets one answer: decimal numbers as Java reads them (without its type
 * suffixes and hexadecimal form) plus the {@code nan} / {@code inf} spellings
 * numpy's and pandas' writers use (any case, signed), which the vector checks then refuse as NaN
 * or infinite (exit 24) rather than as "not a number".
 */
public final class FloatText {
    private FloatText() {}

    /** The float {@code t} spells; {@link NumberFormatException} when it is no number. */
    public static float parse(String t) {
        switch (unsigned(t)) {
            case "nan":
                return Float.NaN;
            case "inf", "infinity":
                return t.startsWith("-") ? Float.NEGATIVE_INFINITY : Float.POSITIVE_INFINITY;
            default:
                // Java's own extras are typos here, not numbers: "1d" and "2f" (type suffixes) and
                // hexadecimal "0x1p3" were read as 1, 2 and 8 (a review helper's find)
                if (!t.isEmpty() && (Character.isLetter(t.charAt(t.length() - 1)) || t.indexOf('x') >= 0 || t.indexOf('X') >= 0)) {
                    throw new NumberFormatException("not a decimal number: " + t);
                }
                return Float.parseFloat(t);
        }
    }

    /**
     * Whether {@code parsed}, read from {@code t}, is infinite only because {@code t} is a finite
     * number beyond the float range ({@code 1e39}): then say so, not "is Infinity".
     */
    public static boolean beyondFloatRange(String t, float parsed) {
        if (!Float.isInfinite(parsed)) {
            return false;
        }
        String u = unsigned(t);
        return !u.equals("inf") && !u.equals("infinity");
    }

    /** {@code t} without its sign, in lower case. */
    private static String unsigned(String t) {
        return (t.startsWith("+") || t.startsWith("-") ? t.substring(1) : t).toLowerCase(Locale.ROOT);
    }

    /** The message for {@link #beyondFloatRange}: what the text was (when known) and what a float can hold. */
    public static String beyondRangeMessage(String t) {
        return (t == null ? "" : "'" + (t.length() > 40 ? t.substring(0, 37) + "..." : t) + "' ") + "is beyond the float range (magnitude up to 3.4028235e38)";
    }
}
