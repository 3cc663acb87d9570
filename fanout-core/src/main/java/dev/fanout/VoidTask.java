package dev.fanout;

import java.io.Serializable;

/**
 * A task that returns nothing and may throw, as given to {@link Executor#submit(VoidTask)} or as a worker
 * initializer: usually a lambda such as {@code () -> Thread.sleep(100)}. Its future's result is {@code null}.
 *
 * <p>It is {@link Serializable} so that the same lambda can travel to a cluster backend.
 */
@FunctionalInterface
public interface VoidTask extends Serializable {
    /**
     * Runs the task.
     *
     * @throws Exception anything the task throws; it becomes the future's exception
     */
    void run() throws Exception;
}
