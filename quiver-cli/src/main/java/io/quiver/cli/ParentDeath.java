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

    private ParentDeath() {}

    /** Returns whether the kernel took the request (false off Linux, or without native access). */
    static boolean signalTermOnParentDeath() {
        try {
            if (!System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).contains("linux")) {
                return false;
            }
            Linker linker = Linker.nativeLinker();
            MethodHandle prctl = linker.downcallHandle(linker.defaultLookup().find("prctl").orElseThrow(),
                    FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG), Linker.Option.firstVariadicArg(1));
            return (int) prctl.invokeExact(PR_SET_PDEATHSIG, SIGTERM) == 0;
        } catch (Throwable e) {
            return false;
        }
    }
}
