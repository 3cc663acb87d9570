package dev.fanout;

import java.io.Serializable;

/**
 * The function of a two-input {@link Executor#map(TaskBiFunction, Iterable, Iterable) map}: applied to each pair of
 * items taken from the two inputs in step, it may throw. {@link Serializable} so that the same lambda can travel to a
 * cluster backend.
 *
 * @param <A> the type of the first input's items
 * @param <B> the type of the second input's items
 * @param <R> the type of the results
 */
@FunctionalInterface
public interface TaskBiFunction<A, B, R> extends Serializable {
    /**
     * Computes the result for one pair of items.
     *
     * @param a the item of the first input
     * @param b the item of the second input
     * @return the result
     * @throws Exception anything; that step of the iteration throws it
     */
    R apply(A a, B b) throws Exception;
}
