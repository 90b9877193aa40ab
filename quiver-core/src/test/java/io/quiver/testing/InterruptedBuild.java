package io.quiver.testing;

import io.quiver.index.ProgressListener;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Interrupts a build's own thread from one of its worker threads, the first time a worker reports
 * progress of a given step, and keeps that worker busy a while longer, so that a build which stops
 * waiting for its workers at the interrupt is caught with one still running.
 *
 * <pre>{@code
 * InterruptedBuild ib = new InterruptedBuild("inserting items");
 * ib.runOnNewThread(() -> store.write(txn -> {
 *     HnswWriter w = ...;  // add items
 *     ib.build(() -> w.build(options.listener(ib).build()));
 * }));
 * assertThat(ib.aliveWhenThrown()).isEmpty();
 * }</pre>
 */
public final class InterruptedBuild implements ProgressListener {
    /** How long the interrupting worker stays busy after the interrupt. */
    private static final long BUSY_MILLIS = 300;
    private final String step;
    private volatile Thread builder;
    private final AtomicBoolean interrupted = new AtomicBoolean();
    private final Set<Thread> workers = ConcurrentHashMap.newKeySet();
    private final List<String> aliveWhenThrown = new ArrayList<>();
    private Throwable thrown;

    /** Acts on progress of the step whose name contains {@code step}. */
    public InterruptedBuild(String step) {
        this.step = step;
    }

    @Override
    public void progress(String name, long done, long total) {
        Thread me = Thread.currentThread();
        if (!name.contains(step) || me == builder) {
            return;
        }
        workers.add(me);
        if (interrupted.compareAndSet(false, true)) {
            builder.interrupt();
            try {
                Thread.sleep(BUSY_MILLIS);
            } catch (InterruptedException e) {
                me.interrupt();
            }
        }
    }

    /** Runs {@code work} (which calls {@link #build}) on a new thread, keeps what it throws, and waits for it. */
    public void runOnNewThread(Runnable work) throws InterruptedException {
        Thread t = new Thread(() -> {
            try {
                work.run();
            } catch (Throwable e) {
                thrown = e;
            }
        });
        builder = t;
        t.start();
        t.join();
    }

    /** Runs the build; when it throws, notes first which of its reporting workers are still alive. */
    public void build(Runnable build) {
        try {
            build.run();
        } catch (RuntimeException | Error e) {
            for (Thread w : workers) {
                if (w.isAlive()) {
                    aliveWhenThrown.add(w.getName());
                }
            }
            throw e;
        }
    }

    public boolean interrupted() {
        return interrupted.get();
    }

    public Set<Thread> workers() {
        return workers;
    }

    public List<String> aliveWhenThrown() {
        return aliveWhenThrown;
    }

    public Throwable thrown() {
        return thrown;
    }
}
