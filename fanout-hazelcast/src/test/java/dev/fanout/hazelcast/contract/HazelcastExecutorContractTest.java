package dev.fanout.hazelcast.contract;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fanout.tck.ExecutorContract;
import dev.fanout.tck.ExecutorFactory;
import org.junit.jupiter.api.Test;

/**
 * The core's executor contract against the cluster backend, and what only a backend that serializes tasks has to
 * honour.
 */
class HazelcastExecutorContractTest extends ExecutorContract {
    @Override
    protected ExecutorFactory newFactory() {
        return new HazelcastExecutorFactory();
    }

    @Test
    void aTaskThatCannotBeSerializedFailsAtSubmitNamingTheCapturedObject() {
        Object notSerializable = new Object();
        assertThatThrownBy(() -> executor().submit(() -> notSerializable.hashCode()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("java.lang.Object")
                .hasMessageContaining("captured argument 0");
    }
}
