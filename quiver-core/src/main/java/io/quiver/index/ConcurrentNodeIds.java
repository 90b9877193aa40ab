package io.quiver.index;

import io.quiver.storage.ErrorKind;
import io.quiver.storage.QuiverException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.roaringbitmap.RoaringBitmap;

/**
 * Hands out node ids to many threads without a lock: first the holes left by freed nodes (picked
 * with {@code select} on a shared, read-only bitmap through an atomic cursor), then fresh ids past
 * the largest used one. Never returns an id twice.
 */
public final class ConcurrentNodeIds {
    private final RoaringBitmap available;
    private final AtomicInteger nextAvailable = new AtomicInteger();
    private final AtomicBoolean lookInAvailable;
    private final AtomicLong fresh;
    private final AtomicLong handedOut = new AtomicLong();

    /** @param used the node ids in use (unsigned), which will never be returned */
    public ConcurrentNodeIds(RoaringBitmap used) {
        long last = used.isEmpty() ? -1 : Integer.toUnsignedLong(used.last());
        RoaringBitmap holes = new RoaringBitmap();
        if (last >= 0) {
            holes.add(0L, last + 1);
            holes.andNot(used);
        }
        this.available = holes;
        this.lookInAvailable = new AtomicBoolean(!holes.isEmpty());
        this.fresh = new AtomicLong(last + 1);
    }

    /** A node id nobody else got. */
    public int next() {
        handedOut.incrementAndGet();
        if (lookInAvailable.get()) {
            int n = nextAvailable.getAndIncrement();
            if (n < available.getCardinality()) {
                return available.select(n);
            }
            lookInAvailable.set(false);
        }
        long id = fresh.getAndIncrement();
        if (id > 0xFFFF_FFFFL) {
            throw new QuiverException(ErrorKind.INVALID_ARGUMENT, "ran out of 32-bit node ids");
        }
        return (int) id;
    }

    /** How many ids were handed out. */
    public long handedOut() {
        return handedOut.get();
    }
}
