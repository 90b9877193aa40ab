import io.quiver.distance.*;
import io.quiver.index.ItemCodes;
import io.quiver.storage.*;
import java.nio.*;
import java.nio.file.Path;
/**
 * Rewrites the header of every int8 code of index 0 as the code before the twenty-third session
 * would have written it: 2 stays, a residual header becomes 3 when every component is within half
 * a step of the vector (ScalarQuantizer.boundHolds on header 3), else 1. Code bytes are unchanged.
 *   java <flags> -cp quiver.jar LegacyHeaders.java DB COUNT
 */
public class LegacyHeaders {
    public static void main(String[] a) {
        int count = Integer.parseInt(a[1]);
        int[] tally = new int[256];
        try (Store s = Store.open(Path.of(a[0]))) {
            for (int from = 0; from < count; from += 50_000) {
                int f = from;
                s.write(txn -> {
                    Distance d = io.quiver.index.IndexMetadata.read(txn, 0).distance();
                    ScalarQuantizer sq = ItemCodes.read(txn, 0, d);
                    ByteBuffer tmp = ByteBuffer.allocateDirect(sq.codeBytes());
                    for (int id = f; id < Math.min(count, f + 50_000); id++) {
                        ByteBuffer code = txn.get(0, KeyKind.CODE, id);
                        if (code == null) continue;
                        byte[] b = new byte[code.remaining()];
                        code.get(0, b);
                        int h = b[0] & 0xFF;
                        if (h >= ScalarQuantizer.CODE_RESIDUAL_FIRST) {
                            b[0] = ScalarQuantizer.CODE_BOUNDED;
                            tmp.clear().put(b).flip();
                            ByteBuffer item = txn.get(0, KeyKind.ITEM, id);
                            long ia = NativeMemory.address(item);
                            if (!sq.boundHolds(ia, NativeMemory.address(tmp))) {
                                b[0] = ScalarQuantizer.CODE_VERSION;
                            }
                            txn.put(0, KeyKind.CODE, id, b);
                        }
                        tally[b[0] & 0xFF]++;
                    }
                });
            }
        }
        for (int h = 0; h < 256; h++) if (tally[h] > 0) System.out.println("header " + h + ": " + tally[h]);
    }
}
