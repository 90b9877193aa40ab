package io.quiver.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** File-system exceptions say what happened, not only which path (their message is the path). */
class IoMessagesTest {
    @TempDir
    Path dir;

    @Test
    void namesTheCauseAndThePathWhenItIsNotTheOneAlreadyNamed() {
        Path store = Path.of("/data/store");
        assertThat(IoMessages.describe(new AccessDeniedException("/data/store"), store)).isEqualTo("permission denied");
        assertThat(IoMessages.describe(new AccessDeniedException("/data"), store)).isEqualTo("/data: permission denied");
        assertThat(IoMessages.describe(new AccessDeniedException("/data/x.tmp"), null)).isEqualTo("/data/x.tmp: permission denied");
        assertThat(IoMessages.describe(new NoSuchFileException("/in.csv"), null)).isEqualTo("/in.csv: no such file or directory");
        assertThat(IoMessages.describe(new FileSystemException("/ro/x", null, "Read-only file system"), null)).isEqualTo("/ro/x: Read-only file system");
        assertThat(IoMessages.describe(new IOException("disk on fire"), store)).isEqualTo("disk on fire");
    }

    @Test
    void aRealFailureReadsTheSame() throws IOException {
        Path file = Files.writeString(dir.resolve("file"), "x");
        IOException e = org.assertj.core.api.Assertions.catchThrowableOfType(IOException.class, () -> Files.createDirectories(file.resolve("sub")));
        // the JDK reports it on the path asked for, with the system's reason ("Not a directory")
        assertThat(e).isInstanceOf(FileSystemException.class);
        assertThat(e.getMessage()).startsWith(file.resolve("sub").toString()); // the path, nothing of the cause
        assertThat(IoMessages.describe(e, file.resolve("sub"))).isEqualTo(((FileSystemException) e).getReason()).isNotBlank();
    }
}
