package io.quiver.index;

/**
 * Runs the worker threads of a build, and never returns or throws while one of them still runs:
 * workers read memory the build frees as soon as it ends (off-heap copies of the vectors, the
 * write transaction's pages, per-worker scratch). An interrupted forest build that stopped
 * waiting at the interrupt let a worker crash the JVM on freed memory.
 *
 * <pre>{@code
 * AtomicBoolean stop = new AtomicBoolean();
 * if (BuildThreads.run("quiver-hnsw-build-", bodies, () -> stop.set(true))) {
 *     throw new QuiverException(ErrorKind.CANCELLED, "interrupted while building");
 * }
 * }</pre>
 */
public final class BuildThreads {
    private BuildThreads() {}

    /**
     * Starts one platform thread per body, named {@code namePrefix + i}, and waits for all of them.
     * {@code stop} must make the bodies end at their next task; it runs when the caller is
     * interrupted (waiting then goes on) and when a thread fails to start (no memory for its
     * stack: the started ones are waited for, then that failure is thrown). Returns whether the
     * caller was interrupted; its interrupt flag is then set again.
     */
    public static boolean run(String namePrefix, Runnable[] bodies, Runnable stop) {
        Thread[] threads = new Thread[bodies.length];
        int started = 0;
        try {
            for (; started < threads.length; started++) {
                threads[started] = Thread.ofPlatform().name(namePrefix + started).start(bodies[started]);
            }
        } catch (RuntimeException | Error e) {
            stop.run();
            joinAll(threads, started, stop);
            throw e;
        }
        return joinAll(threads, started, stop);
    }

    private static boolean joinAll(Thread[] threads, int n, Runnable stop) {
        boolean interrupted = false;
        for (int t = 0; t < n; t++) {
            while (true) {
                try {
                    threads[t].join();
                    break;
                } catch (InterruptedException e) {
                    if (!interrupted) {
                        interrupted = true;
                        stop.run();
                    }
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        return interrupted;
    }
}
