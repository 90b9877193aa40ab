package io.quiver.index;

import io.quiver.storage.ErrorKind;
import io.quiver.storage.QuiverException;
import java.io.IOException;
import java.nio.ByteBuffer;
import org.roaringbitmap.Container;
import org.roaringbitmap.ContainerPointer;
import org.roaringbitmap.RoaringBitmap;

/**
 * Reads Roaring bitmaps stored in the index and checks them: {@code deserialize} accepts bytes
 * that only fail later (an empty run container throws from {@code first()}), and a reader must
 * not meet that in the middle of a search. The check walks the containers, not the ids.
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
                if (c.first() > c.last()) {
                    throw new IllegalStateException("container " + key + " is inconsistent");
                }
                lastKey = key;
                p.advance();
            }
            return b;
        } catch (IOException | RuntimeException e) {
            throw new QuiverException(ErrorKind.CORRUPTED, what + " is corrupted: " + e, e);
        }
    }
}
