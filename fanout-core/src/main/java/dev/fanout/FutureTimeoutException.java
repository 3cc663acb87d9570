package dev.fanout;

/**
 * A timeout passed before the awaited outcome was there: thrown by {@link Future#result(java.time.Duration)},
 * {@link Future#exception(java.time.Duration)}, {@link Futures#asCompleted(java.util.Collection,
 * java.time.Duration)} and by the iteration of a {@link Executor#map map} with a {@link MapOptions#timeout timeout}.
 *
 * <p>Unchecked, unlike {@link java.util.concurrent.TimeoutException}, so that code which collects results needs no
 * {@code try}/{@code catch} for a timeout it did not ask for.
 */
public class FutureTimeoutException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception with a message saying what was not finished in time.
     *
     * @param message the detail message
     */
    public FutureTimeoutException(String message) {
        super(message);
    }
}
