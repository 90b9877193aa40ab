package io.quiver.cli.io;

import java.io.BufferedInputStream;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The non-blank lines of a UTF-8 text file, streamed, with the number of the line last returned
 * (for messages) and the bytes read so far (for progress). A leading byte-order mark is dropped.
 */
final class TextLines implements AutoCloseable {
    private final CountingInput counter;
    private final BufferedReader in;
    private long lineNo;

    TextLines(Path file) throws IOException {
        this.counter = new CountingInput(new BufferedInputStream(Files.newInputStream(file), 1 << 16));
        this.in = new BufferedReader(new InputStreamReader(counter, StandardCharsets.UTF_8), 1 << 16);
    }

    /** The next non-blank line, or null at the end of the file. */
    String next() throws IOException {
        while (true) {
            String line = in.readLine();
            if (line == null) {
                return null;
            }
            lineNo++;
            if (lineNo == 1) {
                // every byte-order mark: a file passed through two tools that each add one kept
                // the second in its header, and an "id" column no longer named the ids
                int marks = 0;
                while (marks < line.length() && line.charAt(marks) == '\uFEFF') {
                    marks++;
                }
                line = line.substring(marks);
            }
            if (!line.isBlank()) {
                return line;
            }
        }
    }

    /** 1-based number of the line {@link #next()} returned last. */
    long lineNo() {
        return lineNo;
    }

    long bytesRead() {
        return counter.count();
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
