package io.quiver.cli;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * Asks Linux to send this process SIGTERM when its parent dies ({@code prctl(PR_SET_PDEATHSIG)}).
 * The {@code quiver} launcher cannot pass SIGKILL on, and the JVM it had started ran on and
 * committed what it was told to stop; SIGTERM takes the command's usual way out (a build is
 * cancelled, nothing is committed).
 *
 * <pre>{@code
 * ParentDeath.signalTermOnParentDeath();   // first thing, when started by the launcher
 * }</pre>
 */
final class ParentDeath {
    private static final int PR_SET_PDEATHSIG = 1;
    private static final long SIGTERM = 15;
    private static final long SIGKILL = 9;

    private ParentDeath() {}

    /**
     * Returns whether the kernel took the request (false off Linux, or without native access).
     * A process started with SIGTERM ignored (a parent that ignores it passes that on) has no
     * handler for it, and the signal would do nothing (a review helper's run): it gets SIGKILL
     * instead, which loses the open transaction and nothing committed.
     */
    static boolean signalTermOnParentDeath() {
        try {
            if (!System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).contains("linux")) {
                return false;
            }
            Linker linker = Linker.nativeLinker();
            MethodHandle prctl = linker.downcallHandle(linker.defaultLookup().find("prctl").orElseThrow(),
                    FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG), Linker.Option.firstVariadicArg(1));
            return (int) prctl.invokeExact(PR_SET_PDEATHSIG, termIgnored() ? SIGKILL : SIGTERM) == 0;
        } catch (Throwable e) {
            return false;
        }
    }

    /** Whether this process ignores SIGTERM ({@code SigIgn} in {@code /proc/self/status}, bit 14). */
    private static boolean termIgnored() {
        try {
            for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/status"))) {
                if (line.startsWith("SigIgn:")) {
                    return (Long.parseUnsignedLong(line.substring(7).strip(), 16) & (1L << 14)) != 0;
                }
            }
        } catch (java.io.IOException | RuntimeException e) {
            // unknown: SIGTERM, as usual
        }
        return false;
    }
}
