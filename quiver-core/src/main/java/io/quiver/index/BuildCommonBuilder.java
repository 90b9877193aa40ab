package io.quiver.index;

import java.util.function.BooleanSupplier;

/**
 * The part of every family's options builder that sets {@link BuildCommon}: threads, seed,
 * cancellation and progress. {@code B} is the concrete builder, so the setters chain.
 */
public abstract class BuildCommonBuilder<B extends BuildCommonBuilder<B>> {
    private int threads = Runtime.getRuntime().availableProcessors();
    private long seed = 42L;
    private BooleanSupplier cancel;
    private ProgressListener listener;
    private boolean int8Codes = true;

    @SuppressWarnings("unchecked")
    private B self() {
        return (B) this;
    }

    /** Worker threads (default: available processors). */
    public B threads(int threads) {
        this.threads = threads;
        return self();
    }

    /** The random seed: the same seed and input give the same structure. */
    public B seed(long seed) {
        this.seed = seed;
        return self();
    }

    /** Polled often; when it returns true the build stops before writing anything. */
    public B cancel(BooleanSupplier cancel) {
        this.cancel = cancel;
        return self();
    }

    /** Live progress. */
    public B listener(ProgressListener listener) {
        this.listener = listener;
        return self();
    }

    /** Whether to keep int8 codes of the vectors (default true); see {@link BuildCommon#int8Codes()}. */
    public B int8Codes(boolean codes) {
        this.int8Codes = codes;
        return self();
    }

    /** The common options as set. */
    protected BuildCommon common() {
        return new BuildCommon(threads, seed, cancel, listener, int8Codes);
    }
}
