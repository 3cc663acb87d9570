package dev.fanout.beyond;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fanout.MapOptions;
import dev.fanout.ThreadPool;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@link MapOptions#progress}: done grows one call at a time and ends at done == total. */
@Timeout(30)
class ProgressTest {

    private record Report(long done, long total) {}

    @Test
    void eagerMapKnowsTheTotalAndEndsComplete() {
        List<Report> reports = Collections.synchronizedList(new ArrayList<>());
        List<Integer> input = IntStream.range(0, 500).boxed().toList();
        try (ThreadPool pool = new ThreadPool(4)) {
            pool.map(i -> i, input, MapOptions.defaults().progress((d, t) -> reports.add(new Report(d, t))))
                    .toList();
        }
        assertMonotonicAndComplete(reports, 500);
        assertThat(reports).allMatch(r -> r.total() == 500);
    }

    @Test
    void boundedChunkedMapLearnsTheTotalAtTheEnd() {
        List<Report> reports = Collections.synchronizedList(new ArrayList<>());
        List<Integer> input = IntStream.range(0, 103).boxed().toList();
        try (ThreadPool pool = new ThreadPool(2)) {
            pool.map(
                            i -> i,
                            input,
                            MapOptions.defaults()
                                    .bufferSize(2)
                                    .chunkSize(10)
                                    .progress((d, t) -> reports.add(new Report(d, t))))
                    .toList();
        }
        assertMonotonicAndComplete(reports, 103);
        assertThat(reports.get(0).total())
                .as("total unknown before the end of the input")
                .isEqualTo(-1);
    }

    @Test
    void nullListenerIsRejected() {
        assertThatThrownBy(() -> MapOptions.defaults().progress(null)).isInstanceOf(NullPointerException.class);
    }

    private static void assertMonotonicAndComplete(List<Report> reports, long total) {
        List<Report> copy;
        synchronized (reports) {
            copy = new ArrayList<>(reports);
        }
        assertThat(copy).isNotEmpty();
        for (int i = 1; i < copy.size(); i++) {
            assertThat(copy.get(i).done())
                    .isGreaterThanOrEqualTo(copy.get(i - 1).done());
        }
        assertThat(copy.get(copy.size() - 1)).isEqualTo(new Report(total, total));
    }
}
