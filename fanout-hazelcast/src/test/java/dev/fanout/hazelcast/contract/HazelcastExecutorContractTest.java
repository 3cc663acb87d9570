package dev.fanout.hazelcast.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fanout.Future;
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

    @Test
    void aResultThatCannotBeSerializedFailsItsFutureNamingTheType() {
        Future<Object> future = executor().submit(() -> new Object());
        assertThat(future.exception())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("the task returned a java.lang.Object, which cannot be sent back");
    }

    @Test
    void anExceptionThatCannotBeSerializedFailsItsFutureNamingIt() {
        Future<Object> future = executor().submit(() -> {
            throw new UnsendableException();
        });
        assertThat(future.exception())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("the task threw " + UnsendableException.class.getName());
    }

    /** An exception holding a field that cannot be serialized. */
    static final class UnsendableException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        @SuppressWarnings({"unused", "serial"})
        private final Object notSerializable = new Object();
    }
}
