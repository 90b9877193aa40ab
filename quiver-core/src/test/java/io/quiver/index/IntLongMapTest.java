package io.quiver.index;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

class IntLongMapTest {
    /** Behaves like a HashMap for any keys (negative ones are large unsigned ids) and values. */
    @Property(tries = 200)
    void agreesWithHashMap(@ForAll List<Integer> keys, @ForAll List<Long> values) {
        IntLongMap m = new IntLongMap(1);
        Map<Integer, Long> ref = new HashMap<>();
        for (int i = 0; i < keys.size(); i++) {
            long v = values.isEmpty() ? i : values.get(i % values.size());
            m.put(keys.get(i), v);
            ref.put(keys.get(i), v);
        }
        assertThat(m.size()).isEqualTo(ref.size());
        for (var e : ref.entrySet()) {
            assertThat(m.get(e.getKey(), 12345L)).isEqualTo(e.getValue());
        }
        assertThat(m.get(Integer.MIN_VALUE + 7, -9L)).isEqualTo(ref.getOrDefault(Integer.MIN_VALUE + 7, -9L));
        assertThat(java.util.Arrays.stream(m.keys()).boxed().toList()).containsExactlyInAnyOrderElementsOf(ref.keySet());
    }
}
