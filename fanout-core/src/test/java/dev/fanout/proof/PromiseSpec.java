package dev.fanout.proof;

/**
 * The sequential specification of {@link dev.fanout.Promise}, straight from API.md: a plain state machine with no
 * concurrency at all. Lincheck checks that every concurrent history of the real Promise matches some order of these
 * calls. Method names and signatures mirror the operations of {@link PromiseLincheckTest}.
 *
 * <pre>
 *   PENDING -> RUNNING | CANCELLED | FINISHED;  RUNNING -> FINISHED;  CANCELLED, FINISHED terminal ("done")
 * </pre>
 */
public final class PromiseSpec {
    private enum State {
        PENDING,
        RUNNING,
        CANCELLED,
        FINISHED
    }

    private State state = State.PENDING;
    private String outcome = "not done";

    public boolean cancel() {
        switch (state) {
            case PENDING -> {
                state = State.CANCELLED;
                outcome = "cancelled";
                return true;
            }
            case CANCELLED -> {
                return true;
            }
            case RUNNING, FINISHED -> {
                return false;
            }
        }
        throw new AssertionError(state);
    }

    public String setRunningOrNotifyCancel() {
        return switch (state) {
            case PENDING -> {
                state = State.RUNNING;
                yield "true";
            }
            case CANCELLED -> "false";
            case RUNNING, FINISHED -> "IllegalStateException";
        };
    }

    public String setResult(int value) {
        return finish("value " + value);
    }

    public String setException() {
        return finish("raised boom");
    }

    private String finish(String newOutcome) {
        return switch (state) {
            case PENDING, RUNNING -> {
                state = State.FINISHED;
                outcome = newOutcome;
                yield "ok";
            }
            case CANCELLED, FINISHED -> "InvalidStateException";
        };
    }

    /** A callback runs at once, on the caller, exactly when the future is already done. */
    public boolean addDoneCallback() {
        return isDone();
    }

    public String result() {
        return outcome;
    }

    public boolean isDone() {
        return state == State.CANCELLED || state == State.FINISHED;
    }

    public boolean isRunning() {
        return state == State.RUNNING;
    }

    public boolean isCancelled() {
        return state == State.CANCELLED;
    }

    // Lincheck compares states of the specification when it builds its transition system.
    @Override
    public boolean equals(Object o) {
        return o instanceof PromiseSpec other && other.state == state && other.outcome.equals(outcome);
    }

    @Override
    public int hashCode() {
        return state.hashCode() * 31 + outcome.hashCode();
    }
}
