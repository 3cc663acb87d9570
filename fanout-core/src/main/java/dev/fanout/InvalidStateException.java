package dev.fanout;

/**
 * An outcome was set on a {@link Promise} that already has one (finished or cancelled). The first outcome is kept.
 */
public class InvalidStateException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message the detail message, naming the future and its state
     */
    public InvalidStateException(String message) {
        super(message);
    }
}
