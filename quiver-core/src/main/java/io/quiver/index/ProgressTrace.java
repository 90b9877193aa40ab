package io.quiver.index;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The named steps of a build with their durations, like the original's {@code progressTrace}:
 * nested steps are joined with {@code " > "}. Thread-safe for recording.
 *
 * <pre>{@code
 * try (var s = trace.step("inserting items")) { ... }
 * trace.steps().forEach(st -> System.out.println(st.name() + ": " + st.duration()));
 * }</pre>
 */
public final class ProgressTrace {
    /** One finished step. */
    public record Step(String name, Duration duration) {}

    private final List<Step> steps = Collections.synchronizedList(new ArrayList<>());
    private final ProgressListener listener;
    private final ArrayList<String> open = new ArrayList<>();

    public ProgressTrace(ProgressListener listener) {
        this.listener = listener == null ? ProgressListener.NONE : listener;
    }

    public ProgressListener listener() {
        return listener;
    }

    /** A running step; closing it records its duration. */
    public final class Scope implements AutoCloseable {
        private final String name;
        private final long start = System.nanoTime();
        private boolean closed;
        private long lastDone = -1;
        private long lastTotal = -1;

        private Scope(String name) {
            this.name = name;
        }

        public String name() {
            return name;
        }

        /**
         * Reports live progress of this step; a report that would go back (less done of the same
         * total) is dropped. Workers report as they go, and one that counted first could report
         * after another: an adversarial helper saw a build's progress go backwards.
         */
        public synchronized void progress(long done, long total) {
            if (total == lastTotal && done <= lastDone) {
                return;
            }
            lastDone = done;
            lastTotal = total;
            listener.progress(name, done, total);
        }

        @Override
        public void close() {
            if (!closed) {
                closed = true;
                synchronized (open) {
                    open.remove(name);
                }
                steps.add(new Step(name, Duration.ofNanos(System.nanoTime() - start)));
            }
        }
    }

    /** Starts a step nested in the steps currently open on this trace. */
    public Scope step(String name) {
        String full;
        synchronized (open) {
            full = open.isEmpty() ? name : open.get(open.size() - 1) + " > " + name;
            open.add(full);
        }
        listener.stepStarted(full);
        return new Scope(full);
    }

    /** Finished steps in the order they finished. */
    public List<Step> steps() {
        synchronized (steps) {
            return List.copyOf(steps);
        }
    }

    /** Step name to duration, in finishing order. */
    public Map<String, Duration> asMap() {
        Map<String, Duration> m = new LinkedHashMap<>();
        for (Step s : steps()) {
            m.merge(s.name(), s.duration(), Duration::plus);
        }
        return m;
    }

    /** Human-readable durations such as {@code 1.52s} or {@code 340.12ms}. */
    public static String format(Duration d) {
        long n = d.toNanos();
        if (n >= 1_000_000_000L) {
            return String.format(java.util.Locale.ROOT, "%.2fs", n / 1e9);
        }
        if (n >= 1_000_000L) {
            return String.format(java.util.Locale.ROOT, "%.2fms", n / 1e6);
        }
        return String.format(java.util.Locale.ROOT, "%.2fµs", n / 1e3);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        for (Step s : steps()) {
            sb.append(s.name()).append(": ").append(format(s.duration())).append('\n');
        }
        return sb.toString();
    }
}
