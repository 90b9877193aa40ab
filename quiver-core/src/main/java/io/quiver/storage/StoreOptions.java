package io.quiver.storage;

/**
 * How a {@link Store} opens its LMDB environment.
 *
 * <pre>{@code
 * StoreOptions opts = StoreOptions.builder().initialMapSize(1L << 30).readOnly(false).build();
 * }</pre>
 *
 * @param initialMapSize bytes of address space mapped at open (not disk space; the file grows with
 *     the data). Rounded up to a whole MiB. Never below the data already in the file; when
 *     another process grows the data past this process's map, the next transaction (or the open)
 *     adopts the larger map.
 * @param maxMapSize the map never grows beyond this; a write that needs more fails with
 *     {@link ErrorKind#MAP_FULL}
 * @param growthFactor the map is multiplied by this (at least doubled for small maps) when full
 * @param readOnly open without write access; writes fail with {@link ErrorKind#READ_ONLY}
 * @param create create the directory and an empty store when absent
 * @param maxReaders LMDB reader slots: the most read transactions open at once across processes
 * @param resizeWaitMillis how long a map growth waits for open transactions of this process to end
 * @param immutable the caller's promise that no process writes the store while this one has it
 *     open (read-only media, an image): with {@code readOnly}, the store is opened without
 *     {@code lock.mdb} ({@code MDB_NOLOCK}). Required to open a store on a read-only file system,
 *     where LMDB cannot register this process's snapshots: a process writing the store through
 *     another mount could otherwise reuse the pages they read
 */
public record StoreOptions(
        long initialMapSize,
        long maxMapSize,
        double growthFactor,
        boolean readOnly,
        boolean create,
        int maxReaders,
        long resizeWaitMillis,
        boolean immutable) {

    /** 64 GiB of address space: plenty for most stores, nothing on disk until used. */
    public static final long DEFAULT_INITIAL_MAP_SIZE = 64L << 30;
    /** 16 TiB: an eighth of x86-64's user address space. */
    public static final long DEFAULT_MAX_MAP_SIZE = 16L << 40;

    public StoreOptions {
        if (initialMapSize < (1 << 20)) {
            throw new QuiverException(ErrorKind.INVALID_ARGUMENT, "initial map size must be at least 1 MiB, got " + initialMapSize);
        }
        if (maxMapSize < initialMapSize) {
            throw new QuiverException(ErrorKind.INVALID_ARGUMENT, "max map size " + maxMapSize + " is below the initial map size " + initialMapSize);
        }
        if (!(growthFactor > 1.0)) {
            throw new QuiverException(ErrorKind.INVALID_ARGUMENT, "growth factor must be > 1, got " + growthFactor);
        }
        if (maxReaders < 1) {
            throw new QuiverException(ErrorKind.INVALID_ARGUMENT, "max readers must be positive, got " + maxReaders);
        }
        if (immutable && !readOnly) {
            throw new QuiverException(ErrorKind.INVALID_ARGUMENT, "an immutable store is opened read-only: set readOnly(true) too");
        }
    }

    public static StoreOptions defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Builder for {@link StoreOptions}; every setting has a default. */
    public static final class Builder {
        private long initialMapSize = DEFAULT_INITIAL_MAP_SIZE;
        private long maxMapSize = DEFAULT_MAX_MAP_SIZE;
        private double growthFactor = 2.0;
        private boolean readOnly;
        private boolean create = true;
        private int maxReaders = 1024;
        private long resizeWaitMillis = 30_000;
        private boolean immutable;

        public Builder initialMapSize(long bytes) {
            this.initialMapSize = bytes;
            return this;
        }

        public Builder maxMapSize(long bytes) {
            this.maxMapSize = bytes;
            return this;
        }

        public Builder growthFactor(double factor) {
            this.growthFactor = factor;
            return this;
        }

        public Builder readOnly(boolean readOnly) {
            this.readOnly = readOnly;
            return this;
        }

        public Builder create(boolean create) {
            this.create = create;
            return this;
        }

        public Builder maxReaders(int maxReaders) {
            this.maxReaders = maxReaders;
            return this;
        }

        public Builder resizeWaitMillis(long millis) {
            this.resizeWaitMillis = millis;
            return this;
        }

        /** See {@link StoreOptions#immutable}: no process writes the store while this one has it open. */
        public Builder immutable(boolean immutable) {
            this.immutable = immutable;
            return this;
        }

        public StoreOptions build() {
            long max = Math.max(maxMapSize, initialMapSize);
            return new StoreOptions(initialMapSize, max, growthFactor, readOnly, create, maxReaders, resizeWaitMillis, immutable);
        }
    }
}
