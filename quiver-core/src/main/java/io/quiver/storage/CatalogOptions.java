package io.quiver.storage;

/**
 * How a {@link Catalog} opens its stores.
 *
 * @param storeOptions options of every store; its initial map size is what each open store costs
 *     in address space (default 16 GiB: stores in a catalog are usually many and small, and each
 *     grows past it on demand)
 * @param addressSpaceBudget address space to share among open maps; 0 measures it at start-up
 * @param acquireWaitMillis how long {@link Catalog#acquire} waits when every open store is leased
 */
public record CatalogOptions(StoreOptions storeOptions, long addressSpaceBudget, long acquireWaitMillis) {
    public CatalogOptions {
        if (storeOptions == null) {
            storeOptions = StoreOptions.builder().initialMapSize(16L << 30).build();
        }
        if (addressSpaceBudget < 0 || acquireWaitMillis < 0) {
            throw new QuiverException(ErrorKind.INVALID_ARGUMENT, "budget and wait must not be negative");
        }
    }

    public static CatalogOptions defaults() {
        return new CatalogOptions(null, 0, 30_000);
    }
}
