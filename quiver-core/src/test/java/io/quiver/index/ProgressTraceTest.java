package io.quiver.index;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProgressTraceTest {
    @Test
    void progressNeverGoesBackWithinATotal() {
        List<String> seen = new ArrayList<>();
        ProgressTrace trace = new ProgressTrace(new ProgressListener() {
            @Override
            public void progress(String step, long done, long total) {
                seen.add(step + " " + done + "/" + total);
            }
        });
        try (var s = trace.step("inserting items")) {
            s.progress(128, 1000);
            s.progress(64, 1000); // a worker that counted first reports late
            s.progress(192, 1000);
            s.progress(192, 1000);
            s.progress(10, 20); // a new total starts again
            s.progress(20, 20);
        }
        assertThat(seen).containsExactly("inserting items 128/1000", "inserting items 192/1000", "inserting items 10/20", "inserting items 20/20");
        assertThat(trace.steps()).extracting(ProgressTrace.Step::name).containsExactly("inserting items");
    }
}
