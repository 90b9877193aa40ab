import io.quiver.storage.*;
import java.nio.file.Path;
public class CodeHeaders {
    public static void main(String[] a) {
        try (Store s = Store.open(Path.of(a[0]), StoreOptions.builder().readOnly(true).build()); ReadTxn t = s.read()) {
            int[] counts = new int[8];
            for (int id = 0; id < 500000; id += 997) {
                var v = t.get(0, KeyKind.CODE, id);
                if (v != null) counts[v.get(0)]++;
            }
            System.out.println(java.util.Arrays.toString(counts));
        }
    }
}
