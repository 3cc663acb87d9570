package dev.fanout;

/** When {@link Futures#wait(java.util.Collection, ReturnWhen)} returns. */
public enum ReturnWhen {
    /** As soon as any future is done (finished or cancelled). */
    FIRST_COMPLETED,
    /**
     * As soon as any future finishes with an exception; if none does, when all are done. A cancelled future is done
     * but has not failed.
     */
    FIRST_EXCEPTION,
    /** When every future is done. */
    ALL_COMPLETED
}
