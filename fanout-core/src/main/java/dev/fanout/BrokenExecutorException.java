package dev.fanout;

import java.util.concurrent.RejectedExecutionException;

/**
 * The executor can no longer run tasks. Futures that were waiting in its queue fail with this exception, and every
 * later {@code submit} throws it.
 */
public class BrokenExecutorException extends RejectedExecutionException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message why the executor broke
     * @param cause what broke it, or {@code null}
     */
    public BrokenExecutorException(String message, Throwable cause) {
        super(message, cause);
    }
}
