package io.quiver.testing;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Loads the datasets {@code scripts/datasets.sh} writes under {@code data/} (TEXMEX .fvecs/.ivecs).
 * Tests tagged {@code dataset} use it and skip when the files are absent.
 */
public final class Datasets {
    private Datasets() {}

    /** {@code data/<name>} relative to the repository root (tests run in a module directory). */
    public static Path dir(String name) {
        return Path.of(System.getProperty("quiver.data", "../data")).resolve(name);
    }

    public static boolean present(String name) {
        return Files.exists(dir(name).resolve("base.fvecs")) && Files.exists(dir(name).resolve("truth.ivecs"));
    }

    /** The first {@code limit} vectors of an .fvecs file. */
    public static float[][] fvecs(Path p, int limit) throws IOException {
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ)) {
            ByteBuffer b = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size()).order(ByteOrder.LITTLE_ENDIAN);
            int dims = b.getInt(0);
            int n = (int) Math.min(limit, ch.size() / (4L + 4L * dims));
            float[][] out = new float[n][dims];
            for (int i = 0; i < n; i++) {
                b.position((int) ((long) i * (4 + 4 * dims) + 4));
                b.asFloatBuffer().get(out[i]);
            }
            return out;
        }
    }

    /** The first {@code limit} rows of an .ivecs file. */
    public static int[][] ivecs(Path p, int limit) throws IOException {
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ)) {
            ByteBuffer b = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size()).order(ByteOrder.LITTLE_ENDIAN);
            int k = b.getInt(0);
            int n = (int) Math.min(limit, ch.size() / (4L + 4L * k));
            int[][] out = new int[n][k];
            for (int i = 0; i < n; i++) {
                b.position((int) ((long) i * (4 + 4 * k) + 4));
                b.asIntBuffer().get(out[i]);
            }
            return out;
        }
    }
}
