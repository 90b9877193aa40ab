import io.quiver.storage.PageCheck;
import java.nio.file.Path;
public class RunPC {
    public static void main(String[] a) {
        for (String d : a) {
            long t = System.nanoTime();
            PageCheck.Report r = PageCheck.run(Path.of(d));
            System.out.printf("%s: %.2f s %s%n", d, (System.nanoTime() - t) / 1e9, r);
        }
    }
}
