import org.lmdbjava.*;
import java.io.File;
public class Hold {
    public static void main(String[] a) throws Exception {
        Env<java.nio.ByteBuffer> env = Env.create().setMapSize(1L<<36).setMaxDbs(4).setMaxReaders(126).open(new File(a[0]), EnvFlags.MDB_NOTLS, EnvFlags.MDB_RDONLY_ENV);
        Txn<java.nio.ByteBuffer> t = env.txnRead();
        System.out.println("holding " + t.getId()); System.out.flush();
        Thread.sleep(Long.parseLong(a[1]));
        t.close(); env.close();
    }
}
