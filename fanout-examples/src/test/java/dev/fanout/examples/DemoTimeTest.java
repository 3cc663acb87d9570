package dev.fanout.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.stream.DoubleStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class DemoTimeTest {

    @BeforeEach
    @AfterEach
    void forgetTheProperties() {
        System.clearProperty("fanout.demo.seed");
        System.clearProperty("fanout.demo.scale");
        DemoTime.reset();
    }

    static double[] draw() {
        return DoubleStream.generate(DemoTime::random).limit(10).toArray();
    }

    @Test
    void aSeedRepeatsTheSameSleeps() {
        System.setProperty("fanout.demo.seed", "42");
        DemoTime.reset();
        double[] first = draw();
        DemoTime.reset();
        assertThat(draw()).containsExactly(first);
        assertThat(DoubleStream.of(first).allMatch(x -> x >= 0 && x < 1)).isTrue();

        System.setProperty("fanout.demo.seed", "43");
        DemoTime.reset();
        assertThat(draw()).isNotEqualTo(first);
    }

    @Test
    void aNegativeScaleIsRefused() {
        System.setProperty("fanout.demo.scale", "-1");
        assertThatThrownBy(DemoTime::reset).isInstanceOf(IllegalArgumentException.class);
    }
}
