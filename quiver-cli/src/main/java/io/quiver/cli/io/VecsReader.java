package io.quiver.cli.io;

import io.quiver.cli.CliException;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/** TEXMEX {@code .fvecs} (int32 dimension, then float32s) and {@code .bvecs} (int32, then uint8s). */
final class VecsReader implements VectorReader {
    private final Path file;
    private final boolean bytes;
    private final CountingInput in;
    private final long size;
    private final byte[] head = new byte[4];
    private byte[] buf = new byte[0];
    private long row;
    private int firstDims = -1;

    VecsReader(Path file, boolean bytes) throws IOException {
        this.file = file;
        this.bytes = bytes;
        this.size = Files.size(file);
        this.in = new CountingInput(new BufferedInputStream(Files.newInputStream(file), 1 << 16));
    }

    @Override
    public String name() {
        return file.toString();
    }

    @Override
    public long declaredCount() {
        if (firstDims <= 0) {
            return -1;
        }
        long rec = 4L + (long) firstDims * (bytes ? 1 : 4);
        return size % rec == 0 ? size / rec : -1;
    }

    @Override
    public VectorRecord next() throws IOException {
        long start = in.count();
        int n = in.readNBytes(head, 0, 4);
        if (n == 0) {
            return null;
        }
        long number = row + 1;
        if (n < 4) {
            throw CliException.badInput(where(number) + ": truncated: the file ends inside the dimension count of vector " + number + " (byte " + start + ")");
        }
        int d = ByteBuffer.wrap(head).order(ByteOrder.LITTLE_ENDIAN).getInt();
        if (d < 0) {
            throw CliException.badInput(where(number) + ": negative dimension count " + d + " at byte " + start + " (not a ." + (bytes ? "bvecs" : "fvecs") + " file?)");
        }
        long payload = (long) d * (bytes ? 1 : 4);
        if (payload > size - in.count()) {
            throw CliException.badInput(where(number) + ": truncated: vector " + number + " declares " + d + " dimensions but only "
                    + (size - in.count()) + " bytes remain (byte " + start + ")");
        }
        if (buf.length < payload) {
            buf = new byte[(int) payload];
        }
        int got = in.readNBytes(buf, 0, (int) payload);
        if (got < payload) {
            throw CliException.badInput(where(number) + ": truncated vector " + number);
        }
        float[] v = new float[d];
        if (bytes) {
            for (int i = 0; i < d; i++) {
                v[i] = buf[i] & 0xFF;
            }
        } else {
            ByteBuffer.wrap(buf, 0, (int) payload).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(v);
        }
        if (firstDims < 0) {
            firstDims = d;
        }
        return new VectorRecord(number, row++, VectorRecord.NO_ID, v);
    }

    @Override
    public long bytesRead() {
        return in.count();
    }

    @Override
    public long totalBytes() {
        return size;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
