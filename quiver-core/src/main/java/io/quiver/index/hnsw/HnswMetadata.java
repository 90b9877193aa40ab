package io.quiver.index.hnsw;

import io.quiver.index.IndexMetadata;
import io.quiver.storage.ErrorKind;
import io.quiver.storage.KeyKind;
import io.quiver.storage.QuiverException;
import io.quiver.storage.Txn;
import io.quiver.storage.WriteTxn;
import java.nio.ByteBuffer;

/**
 * The graph's own state, under {@code [index][METADATA][IndexMetadata.HNSW]}:
 * {@code [version u8][hasEntry u8][entry u32][maxLevel u8][m u16][m0 u16][efConstruction u32][alpha f32][seed u64]}.
 *
 * @param entry the entry point's id (meaningless when {@code hasEntry} is false: empty graph)
 * @param maxLevel the entry point's top level
 */
record HnswMetadata(boolean hasEntry, int entry, int maxLevel, int m, int m0, int efConstruction, float alpha, long seed) {
    private static final byte VERSION = 1;
    private static final int BYTES = 1 + 1 + 4 + 1 + 2 + 2 + 4 + 4 + 8;

    static HnswMetadata read(Txn txn, int index) {
        ByteBuffer v = txn.get(index, KeyKind.METADATA, IndexMetadata.HNSW);
        if (v == null) {
            return null;
        }
        if (v.remaining() != BYTES || v.get(0) != VERSION) {
            throw new QuiverException(ErrorKind.CORRUPTED, "HNSW metadata of index " + index + " is corrupted");
        }
        return new HnswMetadata(v.get(1) != 0, v.getInt(2), Byte.toUnsignedInt(v.get(6)), Short.toUnsignedInt(v.getShort(7)),
                Short.toUnsignedInt(v.getShort(9)), v.getInt(11), v.getFloat(15), v.getLong(19));
    }

    void write(WriteTxn txn, int index) {
        ByteBuffer out = txn.reserve(index, KeyKind.METADATA, IndexMetadata.HNSW, BYTES);
        out.put(0, VERSION);
        out.put(1, (byte) (hasEntry ? 1 : 0));
        out.putInt(2, entry);
        out.put(6, (byte) maxLevel);
        out.putShort(7, (short) m);
        out.putShort(9, (short) m0);
        out.putInt(11, efConstruction);
        out.putFloat(15, alpha);
        out.putLong(19, seed);
    }

    /**
     * The graph parameters as build options (m, m0, efConstruction, alpha), for reports of what was
     * built. The beam as builds use it: graphs stored before options refused a beam narrower than m
     * are built on with m ({@link HnswBuilder}), and options cannot hold the stored value.
     */
    HnswBuildOptions graphOptions() {
        return HnswBuildOptions.builder().m(m).m0(m0).efConstruction(Math.max(m, efConstruction)).alpha(alpha).build();
    }

    HnswMetadata withEntry(boolean has, int id, int level) {
        return new HnswMetadata(has, id, level, m, m0, efConstruction, alpha, seed);
    }
}
