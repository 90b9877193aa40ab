package io.quiver.index;

import io.quiver.storage.ErrorKind;
import io.quiver.storage.QuiverException;
import java.util.function.BooleanSupplier;
import org.roaringbitmap.RoaringBitmap;

/**
 * How to search: {@code k} results; the effort knob of each family ({@code searchK} candidates for
 * the forest, a beam of {@code ef} for HNSW; 0 means the family's default); an optional filter of
 * allowed ids; and an optional stop signal (a callback or a deadline) after which the best
 * results found so far are returned, flagged partial.
 *
 * <pre>{@code
 * SearchOptions opts = SearchOptions.builder().k(10).ef(64).filter(allowed).build();
 * }</pre>
 */
public record SearchOptions(int k, int searchK, int ef, RoaringBitmap filter, BooleanSupplier cancel, long deadlineNanos) {
    public SearchOptions {
        if (k <= 0) {
            throw new QuiverException(ErrorKind.INVALID_ARGUMENT, "k must be positive, got " + k);
        }
        if (searchK < 0 || ef < 0) {
            throw new QuiverException(ErrorKind.INVALID_ARGUMENT, "searchK and ef must not be negative");
        }
    }

    /** {@code k} results with default effort, no filter. */
    public static SearchOptions k(int k) {
        return builder().k(k).build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Whether the caller asked to stop. Cheap enough to poll every few hundred distance computations. */
    public boolean shouldStop() {
        return (cancel != null && cancel.getAsBoolean()) || (deadlineNanos != 0 && System.nanoTime() - deadlineNanos > 0);
    }

    public boolean stoppable() {
        return cancel != null || deadlineNanos != 0;
    }

    public static final class Builder {
        private int k = 10;
        private int searchK;
        private int ef;
        private RoaringBitmap filter;
        private BooleanSupplier cancel;
        private long deadlineNanos;

        public Builder k(int k) {
            this.k = k;
            return this;
        }

        /** Forest: how many candidate items to gather before ranking (default {@code k * trees}). */
        public Builder searchK(int searchK) {
            this.searchK = searchK;
            return this;
        }

        /** HNSW: the beam width at level 0 (default {@code max(k, 64)}). */
        public Builder ef(int ef) {
            this.ef = ef;
            return this;
        }

        /** Only ids in {@code allowed} may be returned. */
        public Builder filter(RoaringBitmap allowed) {
            this.filter = allowed;
            return this;
        }

        public Builder cancel(BooleanSupplier cancel) {
            this.cancel = cancel;
            return this;
        }

        /**
         * Stop after {@code timeout} from now and return what was found. Zero or negative: stop at
         * the first check. Timeouts beyond about 146 years mean no deadline in practice; they are
         * capped there, where the deadline still compares right as {@link System#nanoTime} wraps
         * (a timeout of 300 years threw {@code ArithmeticException} from {@link java.time.Duration#toNanos}).
         */
        public Builder timeout(java.time.Duration timeout) {
            long cap = Long.MAX_VALUE / 2;
            long nanos = timeout.compareTo(java.time.Duration.ofNanos(cap)) > 0 ? cap
                    : timeout.compareTo(java.time.Duration.ofNanos(-cap)) < 0 ? -cap : timeout.toNanos();
            long d = System.nanoTime() + nanos;
            this.deadlineNanos = d == 0 ? 1 : d;
            return this;
        }

        public SearchOptions build() {
            return new SearchOptions(k, searchK, ef, filter, cancel, deadlineNanos);
        }
    }
}
