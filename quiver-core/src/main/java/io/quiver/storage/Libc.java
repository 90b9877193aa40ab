package io.quiver.storage;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.invoke.MethodHandle;

/**
 * Functions of the C library, bound through the JDK's foreign function API, on Linux only: the
 * system calls LMDB's own use of the file system needs beside it ({@link LockFileSpace},
 * {@link AddressSpace}). Null where a function cannot be bound (another system, or native access
 * not granted), and the caller then leaves LMDB's behaviour as it is.
 *
 * <pre>{@code
 * MethodHandle close = Libc.function("close", FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
 * }</pre>
 */
final class Libc {
    private static final boolean LINUX = System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).contains("linux");

    private Libc() {}

    /** The function {@code name} of libc with this signature, or null. */
    static MethodHandle function(String name, FunctionDescriptor descriptor, Linker.Option... options) {
        if (!LINUX) {
            return null;
        }
        try {
            Linker linker = Linker.nativeLinker();
            return linker.downcallHandle(linker.defaultLookup().find(name).orElseThrow(), descriptor, options);
        } catch (RuntimeException | LinkageError e) {
            return null;
        }
    }
}
