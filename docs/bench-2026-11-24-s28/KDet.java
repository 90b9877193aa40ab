import io.quiver.distance.*;
import java.lang.foreign.*;
import java.util.*;
public class KDet {
    public static void main(String[] a) {
        int dims = Integer.parseInt(a[0]);
        Distance d = DistanceKind.valueOf(a[1]).create(dims);
        Random r = new Random(5);
        int n = 200;
        Arena arena = Arena.ofShared();
        long[] addr = new long[n];
        for (int i = 0; i < n; i++) {
            float[] v = new float[dims];
            for (int j = 0; j < dims; j++) v[j] = (float) r.nextGaussian();
            MemorySegment s = arena.allocate(d.itemBytes(), 16);
            d.encode(v, s.address());
            addr[i] = s.address();
        }
        int[] first = new int[n * n];
        int k = 0;
        for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) first[k++] = Float.floatToRawIntBits(d.distance(addr[i], addr[j]));
        for (int rep = 0; rep < 300; rep++) { k = 0; for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) { float x = d.distance(addr[i], addr[j]); } }
        k = 0; int diff = 0;
        for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) diff += first[k++] != Float.floatToRawIntBits(d.distance(addr[i], addr[j])) ? 1 : 0;
        System.out.println(a[1] + " dims " + dims + ": distances differing between first (cold) and warmed calls: " + diff + " of " + (n * n));
    }
}
