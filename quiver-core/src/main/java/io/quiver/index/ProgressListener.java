package io.quiver.index;

/** Live progress of a long operation, for progress bars. Called from the building threads. */
public interface ProgressListener {
    /** A named step began. */
    default void stepStarted(String step) {}

    /** {@code done} of {@code total} units of the current step are finished. */
    default void progress(String step, long done, long total) {}

    ProgressListener NONE = new ProgressListener() {};
}
