package dev.fanout.proof;

import java.util.ArrayList;
import java.util.List;

/**
 * The sequential specification of the pool's submit / cancel / shutdown when no worker ever runs a task (see
 * {@link PoolLincheckTest}): submit after shutdown is rejected, before it queues; shutdown with {@code cancelFutures}
 * cancels every queued task; {@code cancel()} of a queued or cancelled task returns true.
 */
public final class PoolSpec {
    private enum State {
        PENDING,
        CANCELLED
    }

    private boolean shutdown;
    private final List<List<State>> futures = new ArrayList<>();

    public PoolSpec() {
        for (int i = 0; i < PoolLincheckTest.THREAD_IDS; i++) {
            futures.add(new ArrayList<>());
        }
    }

    public String submit(int tid) {
        if (shutdown) {
            return "rejected";
        }
        futures.get(tid).add(State.PENDING);
        return "queued";
    }

    public String cancelMine(int tid) {
        List<State> mine = futures.get(tid);
        if (mine.isEmpty()) {
            return "none";
        }
        mine.set(mine.size() - 1, State.CANCELLED);
        return "true";
    }

    public void shutdown(boolean cancelFutures) {
        shutdown = true;
        if (cancelFutures) {
            for (List<State> mine : futures) {
                mine.replaceAll(s -> State.CANCELLED);
            }
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PoolSpec other && other.shutdown == shutdown && other.futures.equals(futures);
    }

    @Override
    public int hashCode() {
        return futures.hashCode() * 31 + Boolean.hashCode(shutdown);
    }
}
