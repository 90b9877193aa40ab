package io.quiver.index.hnsw;

import io.quiver.distance.Distance;
import io.quiver.distance.DistanceKind;
import io.quiver.distance.Kernels;
import io.quiver.storage.NativeMemory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("slow")
class HnswMicroTest {
    @Test
    void kernel() {
        Distance d = DistanceKind.EUCLIDEAN.create(784);
        int n = 1000;
        ByteBuffer b = ByteBuffer.allocateDirect(d.itemBytes() * n + 16).order(ByteOrder.LITTLE_ENDIAN);
        float[] v = new float[784];
        java.util.Random r = new java.util.Random(1);
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < 784; j++) v[j] = r.nextFloat();
            d.encode(v, b.slice(i * d.itemBytes(), d.itemBytes()).order(ByteOrder.LITTLE_ENDIAN));
        }
        long base = NativeMemory.address(b);
        System.out.println("kernels " + Kernels.get().name());
        for (int rep = 0; rep < 5; rep++) {
            long t = System.nanoTime();
            float s = 0;
            for (int k = 0; k < 2_000_000; k++) {
                s += d.distance(base + (long) (k % n) * d.itemBytes(), base + (long) ((k * 7) % n) * d.itemBytes());
            }
            System.out.printf("ns/distance %.1f (%f)%n", (System.nanoTime() - t) / 2e6, s);
        }
    }
}
