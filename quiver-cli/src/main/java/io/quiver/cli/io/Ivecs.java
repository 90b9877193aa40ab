package io.quiver.cli.io;

import io.quiver.cli.CliException;
import io.quiver.cli.ExitCodes;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** TEXMEX {@code .ivecs}: per row an int32 count, then that many int32 values (little-endian). */
public final class Ivecs {
    private Ivecs() {}

    /** Reads at most {@code maxRows} rows (all when negative). */
    public static int[][] read(Path file, int maxRows) throws IOException {
        if (!Files.exists(file)) {
            throw new CliException(ExitCodes.NOT_FOUND, file + ": no such file");
        }
        List<int[]> rows = new ArrayList<>();
        long size = Files.size(file);
        try (InputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file), 1 << 16))) {
            byte[] head = new byte[4];
            long pos = 0;
            while (maxRows < 0 || rows.size() < maxRows) {
                int n = in.readNBytes(head, 0, 4);
                if (n == 0) {
                    break;
                }
                int r = rows.size() + 1;
                if (n < 4) {
                    throw CliException.badInput(file + ":" + r + ": truncated row");
                }
                int k = ByteBuffer.wrap(head).order(ByteOrder.LITTLE_ENDIAN).getInt();
                if (k < 0 || 4L * k > size - pos - 4) {
                    throw CliException.badInput(file + ":" + r + ": row declares " + k + " values, the file has " + (size - pos - 4) + " bytes left (not an .ivecs file?)");
                }
                byte[] b = in.readNBytes(4 * k);
                if (b.length < 4 * k) {
                    throw CliException.badInput(file + ":" + r + ": truncated row");
                }
                int[] row = new int[k];
                ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).asIntBuffer().get(row);
                rows.add(row);
                pos += 4 + 4L * k;
            }
        }
        return rows.toArray(new int[0][]);
    }

    public static void write(Path file, int[][] rows) throws IOException {
        writeAtomically(file, out -> {
            for (int[] row : rows) {
                ByteBuffer b = ByteBuffer.allocate(4 + 4 * row.length).order(ByteOrder.LITTLE_ENDIAN);
                b.putInt(row.length);
                for (int v : row) {
                    b.putInt(v);
                }
                out.write(b.array());
            }
        });
    }

    private interface Body {
        void write(OutputStream out) throws IOException;
    }

    /**
     * Writes {@code file} through a sibling temporary file renamed into place once complete, so a
     * failure (a full disk) leaves the old file, or none, and no half-written one; the error
     * names the file and why. A symbolic link is written through (its target replaced, the link
     * kept), and a file that is not a regular one (a pipe, {@code /dev/null}, {@code /dev/stdout})
     * is written to directly: renamed over, they were replaced by a regular file (a review
     * helper, as root, turned {@code /dev/full} into one).
     */
    private static void writeAtomically(Path file, Body body) throws IOException {
        Path target = file;
        try {
            // as the kernel follows the path: /dev/stdout into a pipe ends at /proc/self/fd/1 ->
            // "pipe:[N]", which no path resolution by hand reaches, but opening the path does
            if (Files.exists(file) && !Files.isRegularFile(file) && !Files.isDirectory(file)) {
                writeTo(file, body, java.nio.file.StandardOpenOption.WRITE);
                return;
            }
            for (int hops = 0; Files.isSymbolicLink(target); hops++) {
                if (hops == 40) {
                    throw new java.nio.file.FileSystemException(file.toString(), null, "too many levels of symbolic links");
                }
                Path link = Files.readSymbolicLink(target);
                target = target.toAbsolutePath().getParent() == null ? link : target.toAbsolutePath().getParent().resolve(link);
            }
        } catch (IOException e) {
            throw cannotWrite(file, e);
        }
        Path parent = target.toAbsolutePath().getParent();
        if (parent != null) {
            try {
                Files.createDirectories(parent);
            } catch (java.nio.file.FileAlreadyExistsException e) {
                throw new IOException("cannot write " + file + ": " + e.getFile() + " is a file, not a directory", e);
            } catch (IOException e) {
                throw cannotWrite(file, e);
            }
        }
        if (Files.isDirectory(target)) {
            throw new IOException("cannot write " + file + ": it is a directory");
        }
        // a name of its own (created new, with the usual permissions), so that a file of the
        // user's called <file>.tmp is left alone
        Path tmp = target.resolveSibling(target.getFileName() + "." + ProcessHandle.current().pid() + ".tmp");
        try {
            writeTo(tmp, body, java.nio.file.StandardOpenOption.CREATE_NEW, java.nio.file.StandardOpenOption.WRITE);
            Files.move(tmp, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // the first failure is the one to report
            }
            throw cannotWrite(file, e);
        }
    }

    /**
     * Writes {@code body} into {@code file} opened with {@code options}. Into a pipe or a device
     * ({@code WRITE} only) it blocks until a pipe has a reader, as the shell's {@code >} does.
     */
    private static void writeTo(Path file, Body body, java.nio.file.OpenOption... options) throws IOException {
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file, options), 1 << 16)) {
            body.write(out);
        }
    }

    /**
     * "cannot write FILE: why", the why said in words ("permission denied"): a file-system
     * exception's own message is only the path, here the temporary file's.
     */
    private static IOException cannotWrite(Path file, IOException e) {
        String why = e instanceof java.nio.file.FileSystemException f
                ? (f.getReason() != null ? f.getReason() : io.quiver.storage.IoMessages.describe(f, Path.of(f.getFile())))
                : e.getMessage();
        return new IOException("cannot write " + file + ": " + why, e);
    }

    /** Writes float vectors as {@code .fvecs}. */
    public static void writeFvecs(Path file, List<float[]> vectors) throws IOException {
        writeAtomically(file, out -> {
            for (float[] v : vectors) {
                ByteBuffer b = ByteBuffer.allocate(4 + 4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
                b.putInt(v.length);
                for (float x : v) {
                    b.putFloat(x);
                }
                out.write(b.array());
            }
        });
    }
}
