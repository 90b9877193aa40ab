package io.quiver.index;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.quiver.storage.ErrorKind;
import io.quiver.storage.QuiverException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.roaringbitmap.RoaringBitmap;

import org.junit.jupiter.api.Test;

class StoredBitmapsTest {
    /**
     * One container with the runs 0..9 and 60000..60099, then the second run's start and length - 1
     * overwritten (they close the buffer).
     */
    private static ByteBuffer twoRuns(int start, int lengthMinusOne) {
        RoaringBitmap b = new RoaringBitmap();
        b.add(0L, 10L);
        b.add(60_000L, 60_100L);
        b.runOptimize();
        ByteBuffer bytes = ByteBuffer.allocate(b.serializedSizeInBytes()).order(ByteOrder.LITTLE_ENDIAN);
        b.serialize(bytes);
        bytes.flip();
        int second = bytes.limit() - 4;
        assertThat(bytes.getShort(second - 6)).as("number of runs").isEqualTo((short) 2);
        assertThat(bytes.getChar(second)).as("second start").isEqualTo((char) 60_000);
        bytes.putChar(second, (char) start);
        bytes.putChar(second + 2, (char) lengthMinusOne);
        return bytes;
    }

    @Test
    void aValidRunDecodes() {
        RoaringBitmap b = StoredBitmaps.read(twoRuns(60_000, 99), "test set");
        assertThat(b.getCardinality()).isEqualTo(110);
        assertThat(RoaringBitmap.andNot(b, RoaringBitmap.bitmapOf(0, 60_000)).getCardinality()).isEqualTo(108);
    }

    @Test
    void aRunPastTheContainerIsCorruptedNotAnIndexOutOfBounds() {
        // As CodecFuzzTest found in a forest's node set: deserialize accepted a run ending past
        // 65535 (here 65000..66000, whose end wraps below the first value's), and the first andNot
        // threw ArrayIndexOutOfBoundsException.
        assertThatThrownBy(() -> StoredBitmaps.read(twoRuns(65_000, 1_000), "test set"))
                .isInstanceOf(QuiverException.class)
                .satisfies(e -> assertThat(((QuiverException) e).kind()).isEqualTo(ErrorKind.CORRUPTED))
                .hasMessageContaining("test set is corrupted");
    }
}
