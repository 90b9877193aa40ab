package io.quiver.cli;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A minimal JSON reader and writer (no dependency): objects become {@link LinkedHashMap}s, arrays
 * {@link List}s, integers {@link Long} (or {@link BigInteger} beyond long), other numbers
 * {@link Double}. {@link #write} renders maps, lists, strings, numbers, booleans, null and records
 * of those.
 */
public final class Json {
    private final String s;
    /** Whether {@code NaN}, {@code Infinity} and {@code -Infinity} are numbers (see {@link #parseAllowingNonFinite}). */
    private final boolean nonFinite;
    private int pos;

    private Json(String s, boolean nonFinite) {
        this.s = s;
        this.nonFinite = nonFinite;
    }

    /** {@code NaN}, {@code Infinity} or {@code -Infinity} as {@link #parseAllowingNonFinite} reads them. */
    public record NonFinite(double value) {}

    /** Parses one JSON value; throws IllegalArgumentException with the column on error. */
    public static Object parse(String text) {
        return parse(text, false);
    }

    /**
     * Parses one JSON value that may also hold {@code NaN}, {@code Infinity} and
     * {@code -Infinity}, as {@link NonFinite} values: what Python's {@code json.dumps} writes for
     * non-finite floats unless told not to, so that a vector file holding them is refused for its
     * values (exit 24) rather than as broken JSON. They are not Doubles, which a literal beyond the
     * double range ({@code 1e999}) also parses to.
     */
    public static Object parseAllowingNonFinite(String text) {
        return parse(text, true);
    }

    private static Object parse(String text, boolean nonFinite) {
        Json p = new Json(text, nonFinite);
        p.ws();
        Object v = p.value();
        p.ws();
        if (p.pos != text.length()) {
            throw p.err("unexpected '" + text.charAt(p.pos) + "' after the value");
        }
        return v;
    }

    private IllegalArgumentException err(String m) {
        return new IllegalArgumentException(m + " at column " + (pos + 1));
    }

    private void ws() {
        while (pos < s.length()) {
            char c = s.charAt(pos);
            if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
                pos++;
            } else {
                break;
            }
        }
    }

    private Object value() {
        if (pos >= s.length()) {
            throw err("unexpected end of line");
        }
        char c = s.charAt(pos);
        switch (c) {
            case '{':
                return object();
            case '[':
                return array();
            case '"':
                return string();
            case 't':
                return literal("true", Boolean.TRUE);
            case 'f':
                return literal("false", Boolean.FALSE);
            case 'n':
                return literal("null", null);
            default:
                if (nonFinite && (c == 'N' || c == 'I' || s.startsWith("-I", pos))) {
                    return c == 'N' ? literal("NaN", new NonFinite(Double.NaN))
                            : c == 'I' ? literal("Infinity", new NonFinite(Double.POSITIVE_INFINITY)) : literal("-Infinity", new NonFinite(Double.NEGATIVE_INFINITY));
                }
                if (c == '-' || (c >= '0' && c <= '9')) {
                    return number();
                }
                if (c == 'N' || c == 'I') {
                    throw err("NaN and Infinity are not JSON numbers");
                }
                throw err("unexpected '" + c + "'");
        }
    }

    private Object literal(String word, Object v) {
        if (!s.startsWith(word, pos)) {
            throw err("unexpected token");
        }
        pos += word.length();
        return v;
    }

    private Map<String, Object> object() {
        Map<String, Object> m = new LinkedHashMap<>();
        pos++;
        ws();
        if (pos < s.length() && s.charAt(pos) == '}') {
            pos++;
            return m;
        }
        while (true) {
            ws();
            if (pos >= s.length() || s.charAt(pos) != '"') {
                throw err("expected a key");
            }
            String k = string();
            ws();
            if (pos >= s.length() || s.charAt(pos) != ':') {
                throw err("expected ':'");
            }
            pos++;
            ws();
            if (m.containsKey(k)) {
                throw err("duplicate key \"" + k + "\"");
            }
            m.put(k, value());
            ws();
            if (pos >= s.length()) {
                throw err("unterminated object");
            }
            char c = s.charAt(pos++);
            if (c == '}') {
                return m;
            }
            if (c != ',') {
                pos--;
                throw err("expected ',' or '}'");
            }
        }
    }

    private List<Object> array() {
        List<Object> l = new ArrayList<>();
        pos++;
        ws();
        if (pos < s.length() && s.charAt(pos) == ']') {
            pos++;
            return l;
        }
        while (true) {
            ws();
            l.add(value());
            ws();
            if (pos >= s.length()) {
                throw err("unterminated array");
            }
            char c = s.charAt(pos++);
            if (c == ']') {
                return l;
            }
            if (c != ',') {
                pos--;
                throw err("expected ',' or ']'");
            }
        }
    }

    private String string() {
        StringBuilder b = new StringBuilder();
        pos++;
        while (true) {
            if (pos >= s.length()) {
                throw err("unterminated string");
            }
            char c = s.charAt(pos++);
            if (c == '"') {
                return b.toString();
            }
            if (c == '\\') {
                if (pos >= s.length()) {
                    throw err("unterminated string");
                }
                char e = s.charAt(pos++);
                switch (e) {
                    case 'n' -> b.append('\n');
                    case 't' -> b.append('\t');
                    case 'r' -> b.append('\r');
                    case 'b' -> b.append('\b');
                    case 'f' -> b.append('\f');
                    case 'u' -> {
                        if (pos + 4 > s.length()) {
                            throw err("bad \\u escape");
                        }
                        b.append((char) Integer.parseInt(s.substring(pos, pos + 4), 16));
                        pos += 4;
                    }
                    default -> b.append(e);
                }
            } else {
                b.append(c);
            }
        }
    }

    private Object number() {
        int start = pos;
        if (s.charAt(pos) == '-') {
            pos++;
        }
        boolean integer = true;
        while (pos < s.length()) {
            char c = s.charAt(pos);
            if (c >= '0' && c <= '9') {
                pos++;
            } else if (c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-') {
                integer = false;
                pos++;
            } else {
                break;
            }
        }
        String t = s.substring(start, pos);
        try {
            if (integer) {
                if (t.length() < 18) {
                    return Long.parseLong(t);
                }
                BigInteger b = new BigInteger(t);
                return b.bitLength() < 64 ? (Object) b.longValue() : b;
            }
            return Double.parseDouble(t);
        } catch (NumberFormatException e) {
            pos = start;
            throw err("bad number '" + t + "'");
        }
    }

    // ---------------------------------------------------------------- writing

    public static String write(Object v) {
        StringBuilder b = new StringBuilder();
        write(b, v);
        return b.toString();
    }

    private static void write(StringBuilder b, Object v) {
        if (v == null) {
            b.append("null");
        } else if (v instanceof String str) {
            quote(b, str);
        } else if (v instanceof Float f) {
            b.append(Float.isFinite(f) ? Float.toString(f) : "null");
        } else if (v instanceof Double d) {
            b.append(Double.isFinite(d) ? Double.toString(d) : "null");
        } else if (v instanceof Number || v instanceof Boolean) {
            b.append(v);
        } else if (v instanceof Map<?, ?> m) {
            b.append('{');
            boolean first = true;
            for (Map.Entry<?, ?> e : m.entrySet()) {
                if (!first) {
                    b.append(',');
                }
                first = false;
                quote(b, String.valueOf(e.getKey()));
                b.append(':');
                write(b, e.getValue());
            }
            b.append('}');
        } else if (v instanceof Iterable<?> it) {
            b.append('[');
            boolean first = true;
            for (Object o : it) {
                if (!first) {
                    b.append(',');
                }
                first = false;
                write(b, o);
            }
            b.append(']');
        } else if (v instanceof int[] a) {
            List<Object> l = new ArrayList<>();
            for (int x : a) {
                l.add(x);
            }
            write(b, l);
        } else if (v instanceof float[] a) {
            List<Object> l = new ArrayList<>();
            for (float x : a) {
                l.add(x);
            }
            write(b, l);
        } else if (v instanceof long[] a) {
            write(b, java.util.Arrays.stream(a).boxed().toList());
        } else if (v instanceof double[] a) {
            write(b, java.util.Arrays.stream(a).boxed().toList());
        } else if (v instanceof Object[] a) {
            write(b, java.util.Arrays.asList(a));
        } else if (v instanceof Enum<?> e) {
            quote(b, e.name().toLowerCase(java.util.Locale.ROOT));
        } else if (v instanceof java.time.Duration d) {
            b.append(d.toNanos() / 1e9);
        } else {
            quote(b, v.toString());
        }
    }

    private static void quote(StringBuilder b, String s) {
        b.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        b.append('"');
    }

    /** An insertion-ordered map builder for output. */
    public static Map<String, Object> obj(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }
}
