package io.quiver.cli;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Random;

/** Writes small vector files in every supported format. */
final class TestFiles {
    private TestFiles() {}

    static float[][] gaussian(int n, int dims, long seed) {
        Random r = new Random(seed);
        float[][] v = new float[n][dims];
        for (float[] row : v) {
            for (int d = 0; d < dims; d++) {
                row[d] = (float) r.nextGaussian();
            }
        }
        return v;
    }

    static Path fvecs(Path file, float[][] v) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(v.length * (4 + 4 * (v.length == 0 ? 0 : v[0].length)) + 16).order(ByteOrder.LITTLE_ENDIAN);
        for (float[] row : v) {
            b.putInt(row.length);
            for (float x : row) {
                b.putFloat(x);
            }
        }
        Files.write(file, java.util.Arrays.copyOf(b.array(), b.position()));
        return file;
    }

    static Path bvecs(Path file, int[][] v) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(v.length * (4 + v[0].length)).order(ByteOrder.LITTLE_ENDIAN);
        for (int[] row : v) {
            b.putInt(row.length);
            for (int x : row) {
                b.put((byte) x);
            }
        }
        Files.write(file, b.array());
        return file;
    }

    static Path npy(Path file, float[][] v, String descr, boolean fortran) throws IOException {
        String header = "{'descr': '" + descr + "', 'fortran_order': " + (fortran ? "True" : "False") + ", 'shape': (" + v.length + ", " + v[0].length + "), }";
        int total = 10 + header.length() + 1;
        int pad = (64 - total % 64) % 64;
        header = header + " ".repeat(pad) + "\n";
        ByteBuffer b = ByteBuffer.allocate(10 + header.length() + 4 * v.length * v[0].length).order(ByteOrder.LITTLE_ENDIAN);
        b.put((byte) 0x93).put("NUMPY".getBytes(StandardCharsets.US_ASCII)).put((byte) 1).put((byte) 0);
        b.putShort((short) header.length());
        b.put(header.getBytes(StandardCharsets.US_ASCII));
        for (float[] row : v) {
            for (float x : row) {
                b.putFloat(x);
            }
        }
        Files.write(file, b.array());
        return file;
    }

    /** CSV with a header {@code id,x0,x1,...} and ids {@code firstId + row}. */
    static Path csv(Path file, float[][] v, long firstId, char sep) throws IOException {
        StringBuilder sb = new StringBuilder("id");
        for (int d = 0; d < v[0].length; d++) {
            sb.append(sep).append("x").append(d);
        }
        sb.append('\n');
        for (int i = 0; i < v.length; i++) {
            sb.append(firstId + i);
            for (float x : v[i]) {
                sb.append(sep).append(x);
            }
            sb.append('\n');
        }
        Files.writeString(file, sb);
        return file;
    }

    static Path jsonl(Path file, float[][] v, long firstId) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < v.length; i++) {
            sb.append("{\"id\": ").append(firstId + i).append(", \"vector\": [");
            for (int d = 0; d < v[i].length; d++) {
                sb.append(d == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%s", v[i][d]));
            }
            sb.append("]}\n");
        }
        Files.writeString(file, sb);
        return file;
    }
}
