package io.quiver.reliability;

import io.quiver.distance.DistanceKind;
import io.quiver.index.forest.ForestBuildOptions;
import io.quiver.index.forest.ForestWriter;
import io.quiver.storage.Store;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Shared helpers of the reliability tests: child JVMs, tmpfs mounts, small forests. */
public final class Rel {
    /** The flags every JVM running Quiver needs. */
    static final List<String> JVM_FLAGS = List.of("--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
            "--add-opens=java.base/java.nio=ALL-UNNAMED", "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
            "--sun-misc-unsafe-memory-access=allow");

    private Rel() {}

    /** A command line starting a JVM on this test's class path running {@code mainClass}. */
    public static List<String> java(Class<?> mainClass, String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(JVM_FLAGS);
        cmd.add("-Xmx512m");
        cmd.add("-XX:+UseSerialGC");
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(mainClass.getName());
        cmd.addAll(List.of(args));
        return cmd;
    }

    /** Runs a command (root only, e.g. mount); returns whether it exited 0 within 20 s. */
    static boolean sh(String... cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!p.waitFor(20, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return false;
            }
            return p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Mounts a tmpfs of {@code size} (e.g. "8m") at {@code dir}; false when mounting is not allowed here. */
    static boolean mountTmpfs(Path dir, String size) throws IOException {
        Files.createDirectories(dir);
        return sh("mount", "-t", "tmpfs", "-o", "size=" + size, "tmpfs", dir.toString());
    }

    static boolean remountReadOnly(Path dir) {
        return sh("mount", "-o", "remount,ro", dir.toString());
    }

    static void unmount(Path dir) {
        if (!sh("umount", dir.toString())) {
            sh("umount", "-l", dir.toString());
        }
    }

    /** A directory on tmpfs when /dev/shm exists (cheap fsync for many small commits), else {@code fallback}. */
    static Path fastDir(Path fallback, String name) throws IOException {
        Path shm = Path.of("/dev/shm");
        if (Files.isDirectory(shm) && Files.isWritable(shm)) {
            return Files.createTempDirectory(shm, name);
        }
        return Files.createDirectories(fallback.resolve(name));
    }

    static void deleteTree(Path p) {
        if (p == null || !Files.exists(p)) {
            return;
        }
        try (var s = Files.walk(p)) {
            s.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException ignored) {
            // best effort
        }
    }

    /** Creates index 0 as a built forest over {@code vectors} (ids 0..n-1). */
    static void buildForest(Store store, float[][] vectors, int trees) {
        store.write(txn -> {
            ForestWriter w = ForestWriter.create(txn, 0, DistanceKind.EUCLIDEAN, vectors[0].length);
            for (int i = 0; i < vectors.length; i++) {
                w.add(i, vectors[i]);
            }
            w.build(ForestBuildOptions.builder().nTrees(trees).seed(7).build());
        });
    }
}
