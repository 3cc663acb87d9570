/**
 * Fanout: Python's {@code concurrent.futures} for Java.
 *
 * <p>The whole public API is the package {@link dev.fanout}: start with {@link dev.fanout.ThreadPool}
 * and {@link dev.fanout.Futures}.
 */
module dev.fanout {
    exports dev.fanout;
}
