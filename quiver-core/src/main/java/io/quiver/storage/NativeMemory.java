package io.quiver.storage;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.Buffer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Raw access to the memory LMDB hands out. LMDB values sit at arbitrary (unaligned) addresses
 * inside the memory map and stay put until their read transaction ends, so the hot paths keep a
 * plain {@code long} address instead of a buffer object and read through one global segment.
 */
public final class NativeMemory {
    /** A segment spanning the whole address space: reads through it need no per-value object. */
    public static final MemorySegment ALL = MemorySegment.NULL.reinterpret(Long.MAX_VALUE);

    public static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    public static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    public static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private static final VarHandle BUFFER_ADDRESS = bufferAddressHandle();

    private NativeMemory() {}

    private static VarHandle bufferAddressHandle() {
        try {
            return MethodHandles.privateLookupIn(Buffer.class, MethodHandles.lookup())
                    .findVarHandle(Buffer.class, "address", long.class);
        } catch (ReflectiveOperationException | RuntimeException e) {
            // Without --add-opens java.base/java.nio we take the slower but public route.
            return null;
        }
    }

    /** The address of {@code buffer}'s first byte (position 0) — the buffer must be direct. */
    public static long address(ByteBuffer buffer) {
        if (BUFFER_ADDRESS != null) {
            return (long) BUFFER_ADDRESS.get((Buffer) buffer);
        }
        return MemorySegment.ofBuffer(buffer).address() - buffer.position();
    }

    public static float getFloat(long address) {
        return ALL.get(FLOAT, address);
    }

    public static int getInt(long address) {
        return ALL.get(INT, address);
    }

    public static long getLong(long address) {
        return ALL.get(LONG, address);
    }

    public static byte getByte(long address) {
        return ALL.get(ValueLayout.JAVA_BYTE, address);
    }

    public static void putFloat(long address, float value) {
        ALL.set(FLOAT, address, value);
    }

    public static void putInt(long address, int value) {
        ALL.set(INT, address, value);
    }

    public static void putLong(long address, long value) {
        ALL.set(LONG, address, value);
    }
}
