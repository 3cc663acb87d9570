package dev.fanout;

import java.io.Serializable;
import java.util.concurrent.Callable;

/**
 * A task that returns a value and may throw, as given to {@link Executor#submit(Task)}: usually a lambda such as
 * {@code () -> download(url)}.
 *
 * <p>It is {@link Serializable} so that the same lambda can travel to a cluster backend; a lambda is serializable
 * when what it captures is.
 *
 * @param <T> the type of the result
 */
@FunctionalInterface
public interface Task<T> extends Callable<T>, Serializable {}
