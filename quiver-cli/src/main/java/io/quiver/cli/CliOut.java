package io.quiver.cli;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;

/** The standard output of the running command line. */
final class CliOut {
    static volatile PrintWriter out = new PrintWriter(System.out, true);

    private CliOut() {}

    /**
     * The process's standard output as a writer that fails loudly. A {@code PrintWriter} over
     * {@code System.out} swallows write errors: results sent to a full disk or {@code /dev/full}
     * were cut short with exit code 0, and {@code quiver search ... | head} computed every query
     * after {@code head} had gone. A failed write here throws, which stops the command and exits
     * with {@link ExitCodes#IO} (or {@link ExitCodes#DISK_FULL}; {@link ReaderGone} for a closed pipe).
     */
    static PrintWriter standardOutput() {
        return new PrintWriter(new java.io.BufferedOutputStream(new FailingStdout(), 1 << 14), true);
    }

    static void println(String s) {
        out.println(s);
    }

    static void print(String s) {
        out.print(s);
    }

    static void flush() {
        out.flush();
    }

    private static final class FailingStdout extends OutputStream {
        private final FileOutputStream fd = new FileOutputStream(FileDescriptor.out);
        /** After the first failure (reported once) the rest is dropped: the final flush would fail again. */
        private boolean failed;

        @Override
        public void write(int b) {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            if (failed) {
                return;
            }
            try {
                fd.write(b, off, len);
            } catch (IOException e) {
                throw failed(e);
            }
        }

        @Override
        public void flush() {
            if (failed) {
                return;
            }
            try {
                fd.flush();
            } catch (IOException e) {
                throw failed(e);
            }
        }

        private UncheckedIOException failed(IOException e) {
            failed = true;
            IOException why = new IOException("cannot write the standard output: " + e.getMessage(), e);
            return String.valueOf(e.getMessage()).contains("Broken pipe") ? new ReaderGone(why) : new UncheckedIOException(why);
        }
    }

    /**
     * The reader of the standard output went away ({@code quiver search ... | head}): the command
     * stops and exits with {@link ExitCodes#READER_GONE} and no message, as a tool killed by
     * SIGPIPE does, since the reader chose to stop reading.
     */
    static final class ReaderGone extends UncheckedIOException {
        ReaderGone(IOException cause) {
            super(cause);
        }
    }
}
