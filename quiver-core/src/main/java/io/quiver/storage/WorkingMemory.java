package io.quiver.storage;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * Off-heap memory for a build's working copies, which the build fills completely before it reads
 * them. Unlike {@link Arena#allocate}, the block is not zeroed first: on Linux it is a fresh
 * anonymous mapping, whose pages the kernel zeroes anyway when the filling threads first touch
 * them (zeroing first was a second pass over a 200 MB copy, on one thread). Elsewhere, or when
 * the system calls are not available, it is an ordinary {@link Arena} block.
 *
 * <p>With {@code -Dquiver.hugepages=true} the mapping also asks for transparent huge pages
 * ({@code madvise(MADV_HUGEPAGE)}): fewer TLB misses when a build reads random vectors all over
 * it. Off by default: on the machines we measured, the kernel's compaction for them sometimes
 * stalled the copy by a quarter of a second, and the tree phase did not get measurably faster.
 *
 * <pre>{@code
 * try (WorkingMemory m = WorkingMemory.allocate(bytes)) {
 *     long base = m.address(); // at least 64-byte aligned
 *     ...
 * }
 * }</pre>
 *
 * Not zeroed: a caller must write every byte it later reads. {@link #close} may be called once,
 * from any thread, after every thread using the block has finished.
 */
public final class WorkingMemory implements AutoCloseable {
    private static final long HUGE_PAGE = 2L << 20;
    private static final int PROT_READ_WRITE = 0x1 | 0x2;
    private static final int MAP_PRIVATE_ANONYMOUS = 0x02 | 0x20;
    private static final int MADV_HUGEPAGE = 14;
    private static final MethodHandle MMAP;
    private static final MethodHandle MUNMAP;
    private static final MethodHandle MADVISE;
    private static final boolean HUGE_PAGES = Boolean.getBoolean("quiver.hugepages");

    static {
        MethodHandle mmap = null;
        MethodHandle munmap = null;
        MethodHandle madvise = null;
        if (System.getProperty("os.name", "").startsWith("Linux")) {
            try {
                Linker linker = Linker.nativeLinker();
                var libc = linker.defaultLookup();
                mmap = linker.downcallHandle(libc.find("mmap").orElseThrow(), FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG,
                        ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG));
                munmap = linker.downcallHandle(libc.find("munmap").orElseThrow(),
                        FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG));
                madvise = linker.downcallHandle(libc.find("madvise").orElseThrow(),
                        FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT));
            } catch (RuntimeException e) {
                // no native access (or no libc symbols): Arena blocks
                mmap = null;
            }
        }
        MMAP = mmap;
        MUNMAP = munmap;
        MADVISE = madvise;
    }

    private final long address;
    private final long mapping;
    private final long mappingBytes;
    private final Arena arena;
    private boolean closed;

    private WorkingMemory(long address, long mapping, long mappingBytes, Arena arena) {
        this.address = address;
        this.mapping = mapping;
        this.mappingBytes = mappingBytes;
        this.arena = arena;
    }

    /** A block of at least {@code bytes} (not zeroed). */
    public static WorkingMemory allocate(long bytes) {
        long size = Math.max(64, bytes);
        if (MMAP != null) {
            try {
                long total = size + HUGE_PAGE;
                long m = (long) MMAP.invokeExact(0L, total, PROT_READ_WRITE, MAP_PRIVATE_ANONYMOUS, -1, 0L);
                if (m != -1L && m != 0L) {
                    long aligned = (m + HUGE_PAGE - 1) & -HUGE_PAGE;
                    if (HUGE_PAGES) {
                        // Advice only: without huge pages the block still works, with 4 KiB pages.
                        long advised = (size + HUGE_PAGE - 1) & -HUGE_PAGE;
                        int ignored = (int) MADVISE.invokeExact(aligned, advised, MADV_HUGEPAGE);
                    }
                    return new WorkingMemory(aligned, m, total, null);
                }
            } catch (Throwable e) {
                // fall through to an Arena block
            }
        }
        Arena a = Arena.ofShared();
        try {
            return new WorkingMemory(a.allocate(size, 64).address(), 0, 0, a);
        } catch (RuntimeException | OutOfMemoryError e) {
            a.close();
            throw e;
        }
    }

    /** Where the block starts. */
    public long address() {
        return address;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (arena != null) {
            arena.close();
            return;
        }
        try {
            int ignored = (int) MUNMAP.invokeExact(mapping, mappingBytes);
        } catch (Throwable e) {
            throw new IllegalStateException("munmap failed", e);
        }
    }

    /** Whether blocks are anonymous mappings (not zeroed twice) rather than Arena blocks. */
    public static boolean mapped() {
        return MMAP != null;
    }
}
