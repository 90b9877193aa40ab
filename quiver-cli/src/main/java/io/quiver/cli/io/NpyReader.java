package io.quiver.cli.io;

import io.quiver.cli.CliException;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** NumPy {@code .npy}: only 2-D little-endian float32 arrays in C order; anything else is refused. */
final class NpyReader implements VectorReader {
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

    private final Path file;
    private final CountingInput in;
    private final long size;
    private final long rows;
    private final int dims;
    private final byte[] buf;
    private long row;

    NpyReader(Path file) throws IOException {
        this.file = file;
        this.size = Files.size(file);
        this.in = new CountingInput(new BufferedInputStream(Files.newInputStream(file), 1 << 16));
        try {
            byte[] pre = in.readNBytes(8);
            if (pre.length < 8 || !java.util.Arrays.equals(pre, 0, 6, MAGIC, 0, 6)) {
                throw bad("not a NumPy .npy file (no \\x93NUMPY magic)");
            }
            int major = pre[6] & 0xFF;
            int headerLen;
            if (major == 1) {
                byte[] l = in.readNBytes(2);
                headerLen = l.length < 2 ? -1 : ByteBuffer.wrap(l).order(ByteOrder.LITTLE_ENDIAN).getShort() & 0xFFFF;
            } else if (major == 2 || major == 3) {
                byte[] l = in.readNBytes(4);
                headerLen = l.length < 4 ? -1 : ByteBuffer.wrap(l).order(ByteOrder.LITTLE_ENDIAN).getInt();
            } else {
                throw bad("unsupported .npy format version " + major);
            }
            if (headerLen < 0 || headerLen > 1 << 20) {
                throw bad("truncated or implausible .npy header");
            }
            byte[] h = in.readNBytes(headerLen);
            if (h.length < headerLen) {
                throw bad("truncated .npy header");
            }
            String header = new String(h, major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
            Matcher m = DESCR.matcher(header);
            if (!m.find()) {
                throw bad("the .npy header has no dtype ('descr')");
            }
            String descr = m.group(1);
            if (!descr.equals("<f4") && !descr.equals("=f4")) {
                throw bad("dtype '" + descr + "' is not supported: Quiver reads little-endian float32 ('<f4'); convert with arr.astype('<f4')");
            }
            Matcher f = FORTRAN.matcher(header);
            if (f.find() && f.group(1).equals("True")) {
                throw bad("the array is in Fortran order; save it in C order (np.ascontiguousarray(arr))");
            }
            Matcher s = SHAPE.matcher(header);
            if (!s.find()) {
                throw bad("the .npy header has no shape");
            }
            String[] parts = s.group(1).split(",");
            java.util.List<Long> shape = new java.util.ArrayList<>();
            for (String p : parts) {
                if (!p.isBlank()) {
                    shape.add(Long.parseLong(p.trim().replace("L", "")));
                }
            }
            if (shape.size() != 2) {
                throw bad("expected a 2-D array (vectors, dimensions), got shape " + shape);
            }
            rows = shape.get(0);
            long d = shape.get(1);
            if (d <= 0 && rows > 0) {
                throw CliException.of(io.quiver.storage.ErrorKind.INVALID_VECTOR, file + ": the array has 0 dimensions (empty vectors)");
            }
            if (d > Integer.MAX_VALUE / 4) {
                throw bad("implausible dimension count " + d);
            }
            dims = (int) d;
            long need = in.count() + rows * d * 4;
            if (size < need) {
                throw bad("truncated: shape " + shape + " needs " + need + " bytes, the file has " + size);
            }
            buf = new byte[dims * 4];
        } catch (RuntimeException | IOException e) {
            in.close();
            throw e;
        }
    }

    private CliException bad(String why) {
        return CliException.badInput(file + ": " + why);
    }

    @Override
    public int declaredDimensions() {
        return dims;
    }

    @Override
    public long declaredCount() {
        return rows;
    }

    @Override
    public VectorRecord next() throws IOException {
        if (row >= rows) {
            return null;
        }
        int got = in.readNBytes(buf, 0, buf.length);
        if (got < buf.length) {
            throw CliException.badInput(where(row + 1) + ": truncated");
        }
        float[] v = new float[dims];
        ByteBuffer.wrap(buf).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(v);
        long r = row++;
        return new VectorRecord(r + 1, r, VectorRecord.NO_ID, v);
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
    public String name() {
        return file.toString();
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
