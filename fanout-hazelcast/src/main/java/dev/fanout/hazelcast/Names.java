package dev.fanout.hazelcast;

/**
 * Names of the distributed objects of one executor. Each {@link HazelcastExecutor} has its own, so that shutting its
 * {@code IExecutorService} down (which Hazelcast does cluster-wide, by name) touches no other executor.
 */
final class Names {
    private Names() {}

    static String executor(String executorId) {
        return "fanout-" + executorId;
    }

    static String stateMap(String executorId) {
        return "fanout-tasks-" + executorId;
    }
}
