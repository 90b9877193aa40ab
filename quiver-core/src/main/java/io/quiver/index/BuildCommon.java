package io.quiver.index;

import io.quiver.storage.ErrorKind;
import io.quiver.storage.QuiverException;
import java.util.function.BooleanSupplier;

/**
 * Options every build takes.
 *
 * @param threads worker threads (default: available processors)
 * @param seed random seed: the same seed and input give the same structure
 * @param cancel polled often; when it returns true the build stops with {@link ErrorKind#CANCELLED}
 *     before writing anything, and the transaction holds no half-built state
 * @param listener live progress
 * @param int8Codes keep an int8 code of every vector ({@link io.quiver.distance.ScalarQuantizer}, a
 *     quarter of its bytes, packed densely) for searches to rank candidates with before the exact
 *     vectors decide; HNSW builds also measure on them when they are exact (integer data). Default on; Euclidean and cosine indexes
 *     of at least 16 dimensions only (others ignore it). Decided when an index is built from scratch (first build,
 *     conversion, HNSW {@code forceRebuild}): incremental builds keep what the index has
 */
public record BuildCommon(int threads, long seed, BooleanSupplier cancel, ProgressListener listener, boolean int8Codes) {
    public BuildCommon {
        if (threads <= 0) {
            throw new QuiverException(ErrorKind.INVALID_ARGUMENT, "threads must be positive, got " + threads);
        }
        if (listener == null) {
            listener = ProgressListener.NONE;
        }
        if (cancel == null) {
            cancel = () -> false;
        }
    }

    public static BuildCommon defaults() {
        return new BuildCommon(Runtime.getRuntime().availableProcessors(), 42L, null, null, true);
    }

    /** Throws {@link ErrorKind#CANCELLED} when the caller asked to stop. */
    public void checkCancelled() {
        if (cancel.getAsBoolean()) {
            throw new QuiverException(ErrorKind.CANCELLED, "build cancelled");
        }
    }
}
