package io.quiver.index;

import io.quiver.storage.ErrorKind;
import io.quiver.storage.QuiverException;
import java.io.IOException;
import java.nio.ByteBuffer;
import org.roaringbitmap.Container;
import org.roaringbitmap.ContainerPointer;
import org.roaringbitmap.PeekableCharIterator;
import org.roaringbitmap.RoaringBitmap;
import org.roaringbitmap.RunContainer;

/**
 * Reads Roaring bitmaps stored in the index and checks them: {@code deserialize} accepts bytes
 * that only fail later (an empty run container throws from {@code first()}; a run that ends past
 * 65535 throws ArrayIndexOutOfBoundsException from the first {@code andNot}, found by
 * CodecFuzzTest), and a reader must not meet that in the middle of a search. The check reads each
 * container's runs or values once, about what decoding them cost.
 */
public final class StoredBitmaps {
    private StoredBitmaps() {}

    /** Decodes {@code bytes} (position to limit); throws CORRUPTED naming {@code what}. */
    public static RoaringBitmap read(ByteBuffer bytes, String what) {
        RoaringBitmap b = new RoaringBitmap();
        try {
            b.deserialize(bytes);
            ContainerPointer p = b.getContainerPointer();
            int lastKey = -1;
            while (p.getContainer() != null) {
                Container c = p.getContainer();
                int key = p.key();
                if (key <= lastKey || c.getCardinality() <= 0) {
                    throw new IllegalStateException("container " + key + " is empty or out of order");
                }
                checkValues(key, c);
                lastKey = key;
                p.advance();
            }
            return b;
        } catch (IOException | RuntimeException e) {
            throw new QuiverException(ErrorKind.CORRUPTED, what + " is corrupted: " + e, e);
        }
    }

    /** Runs ascending, apart and inside the container; other values strictly ascending and as many as the count says. */
    private static void checkValues(int key, Container c) {
        if (c instanceof RunContainer r) {
            int previousEnd = -1;
            for (int i = 0; i < r.numberOfRuns(); i++) {
                int start = r.getValue(i);
                int end = start + r.getLength(i);
                if (start <= previousEnd || end > 0xFFFF) {
                    throw new IllegalStateException("container " + key + " has a run " + start + ".." + end + " out of order or out of range");
                }
                previousEnd = end;
            }
            return;
        }
        PeekableCharIterator it = c.getCharIterator();
        int previous = -1;
        int count = 0;
        while (it.hasNext()) {
            int v = it.next();
            if (v <= previous) {
                throw new IllegalStateException("container " + key + " has values out of order");
            }
            previous = v;
            count++;
        }
        if (count != c.getCardinality()) {
            throw new IllegalStateException("container " + key + " holds " + count + " values but says " + c.getCardinality());
        }
    }
}
