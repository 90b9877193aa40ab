package io.quiver.index;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** How much memory a build may use for its working set when the caller does not say. */
public final class MemoryBudget {
    private MemoryBudget() {}

    /** Half of the memory the kernel reports available (MemAvailable), or 1 GiB when unknown. */
    public static long automatic() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemAvailable:")) {
                    String[] parts = line.trim().split("\\s+");
                    return Long.parseLong(parts[1]) * 1024L / 2;
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux, or unreadable: fall through
        }
        return 1L << 30;
    }
}
