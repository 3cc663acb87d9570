package dev.fanout;

/**
 * A worker initializer of a {@link ThreadPool} failed, so the pool is broken: every queued future fails with this
 * exception and every later {@code submit} throws it. {@link #getCause()} is the initializer's exception.
 */
public class BrokenThreadPoolException extends BrokenExecutorException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message why the pool broke
     * @param cause the initializer's exception
     */
    public BrokenThreadPoolException(String message, Throwable cause) {
        super(message, cause);
    }
}
