package io.quiver.storage;

import java.io.IOException;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import org.lmdbjava.Env;
import org.lmdbjava.EnvFlags;

/**
 * How much virtual address space this process may still map: the budget a {@link Catalog} shares
 * among the maps of its open stores. Each LMDB map reserves its whole size of address space
 * (not memory, not disk) the moment it opens.
 */
public final class AddressSpace {
    /** x86-64 and AArch64 user space is 128 TiB; keep a quarter for the heap, code and other maps. */
    static final long USER_SPACE = 128L << 40;
    static final long OBVIOUSLY_LARGE = USER_SPACE / 4;

    private AddressSpace() {}

    /**
     * Measures the budget: when no {@code RLIMIT_AS} limit applies the answer is obviously large and
     * no search runs; otherwise a dichotomic search finds the largest LMDB map that still opens,
     * between 1 MiB and the limit, to within 1/64 of it.
     */
    public static long measure() {
        long limit = addressSpaceLimit();
        if (limit <= 0) {
            return OBVIOUSLY_LARGE;
        }
        return largestOpenableMap(limit);
    }

    /** The soft {@code RLIMIT_AS} from {@code /proc/self/limits}, or -1 when unlimited or unknown. */
    static long addressSpaceLimit() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
                if (line.startsWith("Max address space")) {
                    String soft = line.substring("Max address space".length()).trim().split("\\s+")[0];
                    return soft.equals("unlimited") ? -1 : Long.parseLong(soft);
                }
            }
        } catch (IOException | RuntimeException e) {
            // unknown: assume unlimited
        }
        return -1;
    }

    /** Dichotomic search for the largest map (bytes) that opens now, below {@code upper}. */
    static long largestOpenableMap(long upper) {
        Path dir;
        try {
            dir = Files.createTempDirectory("quiver-probe");
        } catch (IOException e) {
            return upper / 2;
        }
        try {
            long lo = 1L << 20;
            long hi = upper;
            if (!opens(dir, lo)) {
                return 0;
            }
            while (hi - lo > Math.max(1L << 20, upper / 64)) {
                long mid = lo + (hi - lo) / 2;
                if (opens(dir, mid)) {
                    lo = mid;
                } else {
                    hi = mid;
                }
            }
            return lo;
        } finally {
            try (var s = Files.list(dir)) {
                for (Path p : (Iterable<Path>) s::iterator) {
                    Files.deleteIfExists(p);
                }
                Files.deleteIfExists(dir);
            } catch (IOException e) {
                // a leftover probe directory in /tmp is harmless
            }
        }
    }

    private static final int PROT_NONE = 0;
    private static final int MAP_PRIVATE = 0x02;
    private static final int MAP_ANONYMOUS = 0x20;
    private static final int MAP_NORESERVE = 0x4000;
    private static final MethodHandle MMAP = Libc.function("mmap", FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG,
            ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG));
    private static final MethodHandle MUNMAP = Libc.function("munmap", FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG));

    /**
     * Whether {@code bytes} more of address space can be mapped now: an anonymous mapping that
     * reserves nothing ({@code PROT_NONE}, {@code MAP_NORESERVE}) is made and dropped at once.
     * Growing an LMDB map unmaps it and maps the larger size; when that mapping fails, LMDB keeps
     * no map at all, and the next transaction crashed the JVM (a review helper's run under
     * {@code ulimit -v}). Asked for the growth ({@code new - old}) while the old map still stands,
     * this asks the limit for exactly what the new map needs. True when it cannot tell.
     */
    static boolean canMap(long bytes) {
        if (MMAP == null || MUNMAP == null || bytes <= 0) {
            return true;
        }
        try {
            MemorySegment at = (MemorySegment) MMAP.invokeExact(MemorySegment.NULL, bytes,
                    PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0L);
            if (at.address() == -1L) {
                return false; // MAP_FAILED
            }
            int ignored = (int) MUNMAP.invokeExact(at, bytes);
            return true;
        } catch (Throwable e) {
            return true;
        }
    }

    private static boolean opens(Path dir, long size) {
        try (Env<java.nio.ByteBuffer> env = Env.create().setMapSize(size).setMaxDbs(1).open(dir.toFile(), EnvFlags.MDB_NOTLS)) {
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }
}
