package io.quiver.cli;

import io.quiver.index.ProgressListener;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * A progress bar on stderr when it is a terminal, nothing otherwise (scripts and tests see clean
 * output). Thread-safe.
 */
public final class Progress implements AutoCloseable {
    private final ProgressBar bar;

    private Progress(ProgressBar bar) {
        this.bar = bar;
    }

    /** A bar for {@code task} with {@code max} units (-1 when unknown). */
    public static Progress start(String task, long max) {
        return start(task, max, null, 1);
    }

    /** A bar counting in {@code unit}s of {@code unitSize} (e.g. "MiB", 1 << 20). */
    public static Progress start(String task, long max, String unit, long unitSize) {
        if (!Cli.progressEnabled()) {
            return new Progress(null);
        }
        ProgressBarBuilder b = new ProgressBarBuilder()
                .setTaskName(task)
                .setInitialMax(max)
                .setStyle(ProgressBarStyle.ASCII)
                .setUpdateIntervalMillis(250)
                .setConsumer(new ConsoleProgressBarConsumer(System.err))
                .showSpeed();
        if (unit != null) {
            b.setUnit(" " + unit, unitSize);
        }
        return new Progress(b.build());
    }

    public synchronized void stepTo(long n) {
        if (bar != null) {
            bar.stepTo(n);
        }
    }

    public synchronized void step() {
        if (bar != null) {
            bar.step();
        }
    }

    public synchronized void max(long max) {
        if (bar != null && bar.getMax() != max) {
            bar.maxHint(max);
        }
    }

    @Override
    public synchronized void close() {
        if (bar != null) {
            bar.close();
        }
    }

    /** Draws one bar per build step, as the index reports them. */
    public static final class Listener implements ProgressListener, AutoCloseable {
        private final String prefix;
        private Progress current;
        private String currentStep;

        public Listener(String prefix) {
            this.prefix = prefix;
        }

        @Override
        public synchronized void stepStarted(String step) {
            // The bar appears with the step's first progress report: steps without any leave no line.
            closeBar();
            currentStep = step;
        }

        @Override
        public synchronized void progress(String step, long done, long total) {
            if (!step.equals(currentStep)) {
                closeBar();
                currentStep = step;
            }
            if (current == null) {
                current = start(prefix + step, total);
            }
            current.max(total);
            current.stepTo(total < 0 ? done : Math.min(done, total));
        }

        private void closeBar() {
            if (current != null) {
                current.close();
                current = null;
            }
        }

        @Override
        public synchronized void close() {
            if (current != null) {
                current.close();
                current = null;
            }
        }
    }
}
