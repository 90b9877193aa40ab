package io.quiver.storage;

import java.nio.ByteBuffer;

/**
 * The key codec: {@code [index u16][kind u8][id u32]}, plus {@code [level u8]} for graph links,
 * all big-endian so that LMDB's lexicographic order is numeric order. Ids are unsigned 32-bit
 * values carried in Java {@code int}s.
 */
public final class Keys {
    /** Bytes of a plain key. */
    public static final int SIZE = 7;
    /** Bytes of a key with a level suffix. */
    public static final int SIZE_WITH_LEVEL = 8;
    /** Largest index number. */
    public static final int MAX_INDEX = 0xFFFE;
    /**
     * The store header's key: two zero bytes, a prefix of every index-0 key and so the smallest key
     * of the database. The header must not sort last, or no item key could ever be appended.
     */
    static ByteBuffer headerKey() {
        ByteBuffer k = ByteBuffer.allocateDirect(2);
        k.putShort(0, (short) 0);
        return k;
    }

    private Keys() {}

    /** Writes a plain key at position 0 of {@code out} (a direct buffer) and flips it for use. */
    public static ByteBuffer write(ByteBuffer out, int index, KeyKind kind, int id) {
        out.clear();
        out.putShort(0, (short) index);
        out.put(2, kind.code());
        out.putInt(3, id);
        out.limit(SIZE);
        return out;
    }

    /** Writes a key with a level suffix. */
    public static ByteBuffer write(ByteBuffer out, int index, KeyKind kind, int id, int level) {
        out.clear();
        out.putShort(0, (short) index);
        out.put(2, kind.code());
        out.putInt(3, id);
        out.put(7, (byte) level);
        out.limit(SIZE_WITH_LEVEL);
        return out;
    }

    /** Writes the 3-byte prefix shared by every key of one kind in one index. */
    public static ByteBuffer writePrefix(ByteBuffer out, int index, KeyKind kind) {
        out.clear();
        out.putShort(0, (short) index);
        out.put(2, kind.code());
        out.limit(3);
        return out;
    }

    public static int index(ByteBuffer key) {
        return Short.toUnsignedInt(key.getShort(0));
    }

    public static KeyKind kind(ByteBuffer key) {
        return KeyKind.fromCode(key.get(2));
    }

    public static int id(ByteBuffer key) {
        return key.getInt(3);
    }

    public static int level(ByteBuffer key) {
        return key.limit() >= SIZE_WITH_LEVEL ? Byte.toUnsignedInt(key.get(7)) : 0;
    }

    public static void checkIndex(int index) {
        if (index < 0 || index > MAX_INDEX) {
            throw new QuiverException(ErrorKind.INVALID_ARGUMENT, "index number must be in 0.." + MAX_INDEX + ", got " + index);
        }
    }
}
