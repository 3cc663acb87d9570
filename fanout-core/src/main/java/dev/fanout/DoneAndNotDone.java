package dev.fanout;

import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Set;

/**
 * What {@link Futures#wait(java.util.Collection, ReturnWhen) Futures.wait} returns: the futures that were done when it
 * returned, and the others. Both sets hold the very future objects passed in, each once, in the order first passed,
 * and cannot be modified.
 *
 * @param done the futures that were done (finished or cancelled)
 * @param notDone the futures that were pending or running
 * @param <T> the type of the futures' results
 */
public record DoneAndNotDone<T>(Set<Future<T>> done, Set<Future<T>> notDone) {
    /**
     * Creates the pair, taking unmodifiable copies of both sets.
     *
     * @param done the futures that were done
     * @param notDone the futures that were not
     */
    public DoneAndNotDone {
        done = Collections.unmodifiableSet(new LinkedHashSet<>(Objects.requireNonNull(done, "done")));
        notDone = Collections.unmodifiableSet(new LinkedHashSet<>(Objects.requireNonNull(notDone, "notDone")));
    }
}
