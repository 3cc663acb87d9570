/**
 * Python's {@code concurrent.futures} for Java: {@link dev.fanout.ThreadPool} runs tasks, {@link dev.fanout.Future}
 * holds each one's outcome, {@link dev.fanout.Futures} waits for many.
 *
 * <h2>The states of a future</h2>
 *
 * <pre>
 *   PENDING --start--&gt; RUNNING --returns or throws--&gt; FINISHED (a value, or an exception)
 *   PENDING --cancel()--&gt; CANCELLED
 * </pre>
 *
 * <p>A future is <em>done</em> once FINISHED or CANCELLED, and never changes again. {@code cancel()} wins only against a
 * task that has not started: a RUNNING task is never interrupted and always finishes. A {@link dev.fanout.Promise} is a
 * future that anyone may move through these states, with the same rules.
 *
 * <h2>Which thread runs what</h2>
 *
 * <ul>
 *   <li>A task runs on a worker thread of its pool (with
 *       {@code virtualThreads()}, a virtual thread of the pool), never on the thread that submitted it.
 *   <li>A callback added with {@code addDoneCallback} runs on the thread that made the future done (the worker that ran
 *       the task, or the thread that cancelled it), in the order callbacks were added; added to a future already done,
 *       it runs at once on the thread that adds it.
 *   <li>{@code result()}, {@code Futures.wait}, {@code Futures.asCompleted} and a {@code map}'s iteration block the
 *       calling thread, and only it.
 *   <li>A bounded {@code map} reads its input on the thread that iterates its results, as it hands them out.
 * </ul>
 *
 * <p>The user guide, with a runnable snippet for every feature, is {@code docs/guide.md} in the project's repository.
 */
package dev.fanout;
