package dev.fanout;

import java.io.Serializable;

/**
 * The function of a one-input {@link Executor#map map}: applied to each item, it may throw. {@link Serializable} so
 * that the same lambda can travel to a cluster backend.
 *
 * @param <T> the type of the items
 * @param <R> the type of the results
 */
@FunctionalInterface
public interface TaskFunction<T, R> extends Serializable {
    /**
     * Computes the result for one item.
     *
     * @param item the item
     * @return the result
     * @throws Exception anything; that item's step of the iteration throws it
     */
    R apply(T item) throws Exception;
}
