package io.quiver.storage;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class WorkingMemoryTest {
    @Test
    void aBlockHoldsWhatIsWrittenFromSeveralThreadsAndClosesOnce() throws Exception {
        long bytes = (8L << 20) + 12345;
        try (WorkingMemory m = WorkingMemory.allocate(bytes)) {
            long base = m.address();
            assertThat(base % 64).isZero();
            Thread[] ts = new Thread[2];
            for (int t = 0; t < ts.length; t++) {
                int part = t;
                ts[t] = Thread.ofPlatform().start(() -> {
                    for (long o = part * 8L; o + 8 <= bytes; o += 16) {
                        NativeMemory.putLong(base + o, o * 31 + 7);
                    }
                });
            }
            for (Thread t : ts) {
                t.join();
            }
            for (long o = 0; o + 8 <= bytes; o += 8) {
                assertThat(NativeMemory.getLong(base + o)).isEqualTo(o * 31 + 7);
            }
            m.close();
        }
        if (System.getProperty("os.name").startsWith("Linux")) {
            assertThat(WorkingMemory.mapped()).as("Linux blocks are anonymous mappings").isTrue();
        }
    }
}
