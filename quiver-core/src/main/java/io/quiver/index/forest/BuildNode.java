package io.quiver.index.forest;

/**
 * A tree node while a build works on it, in memory. {@code storedId} is the node id the node
 * had (or inherits) on disk, -1 for a node not yet given one; untouched subtrees stay
 * {@link Stored} references and are never read.
 */
abstract sealed class BuildNode permits BuildNode.Stored, BuildNode.Leaf, BuildNode.Split {
    int storedId = -1;
    boolean dirty = true;

    /** A subtree on disk that this build did not touch. */
    static final class Stored extends BuildNode {
        Stored(int id) {
            storedId = id;
            dirty = false;
        }
    }

    /** Descendants: the items of a small subtree. */
    static final class Leaf extends BuildNode {
        IntList ids;

        Leaf(IntList ids) {
            this.ids = ids;
        }
    }

    /** Common parts of split nodes. */
    abstract static sealed class Split extends BuildNode permits Plane, Bit {
        BuildNode left;
        BuildNode right;
        /**
         * The side of each item of the set it was created from, when creating it already computed
         * exactly what routing would (saves a second pass over the vectors); dropped after use.
         */
        boolean[] sides;
    }

    /** A hyperplane split of float vectors. */
    static final class Plane extends Split {
        /** The normal that routes items: {@code scale * codes[i]} for each i when {@code codes} is set. */
        final float[] normal;
        final float offset;
        final float extra;
        /** The normal as int8 codes ({@link TreeNodes#PLANE8}), or null for a stored float plane. */
        final byte[] codes;
        final float scale;

        Plane(float[] normal, float offset, float extra, byte[] codes, float scale) {
            this.normal = normal;
            this.offset = offset;
            this.extra = extra;
            this.codes = codes;
            this.scale = scale;
        }

        /** The same plane moved along its normal: {@code offset} replaced. */
        Plane withOffset(float newOffset) {
            return new Plane(normal, newOffset, extra, codes, scale);
        }
    }

    /** A one-bit split of bit vectors. */
    static final class Bit extends Split {
        final int bit;

        Bit(int bit) {
            this.bit = bit;
        }
    }
}
