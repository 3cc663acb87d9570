package dev.fanout.benchmarks;

import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.function.Function;

/**
 * The peers that need JDK 21: parallel-collectors 3.x and {@code Executors.newVirtualThreadPerTaskExecutor}. Their
 * code is in {@code src/jdk21/java}, compiled only by a build on JDK 21 or newer (Maven profile {@code jdk21}); this
 * interface lets code compiled for Java 17 call it.
 */
interface Jdk21Peers {

    /** parallel-collectors' {@code parallelToStream}: results in completion order; the sum of {@code fn} over 0..n-1. */
    long parallelToStream(int n, Function<Integer, Long> fn, Executor executor, int parallelism);

    /** parallel-collectors' {@code parallelToOrderedStream}: results in input order; their sum. */
    long parallelToOrderedStream(
            Iterable<Integer> items, Function<Integer, Long> fn, Executor executor, int parallelism);

    /** The same, batched: {@code ParallelCollectors.Batching.parallelToOrderedStream}. */
    long batchedOrderedStream(List<Integer> items, Function<Integer, Long> fn, Executor executor, int parallelism);

    /** parallel-collectors' default: one virtual thread per element, no bound; waits for every element. */
    long parallelOnVirtualThreads(int n, Function<Integer, Long> fn);

    /** {@code Executors.newVirtualThreadPerTaskExecutor()}. */
    ExecutorService newVirtualThreadPerTaskExecutor();

    /**
     * The peers, if this build has them and this JDK can run them.
     *
     * @throws Contender.Unavailable otherwise
     */
    static Jdk21Peers load() {
        return Holder.get();
    }

    /** Loads the implementation once; remembers why it could not. */
    final class Holder {
        private static final Jdk21Peers PEERS;
        private static final String WHY;

        static {
            Jdk21Peers peers = null;
            String why = null;
            if (Runtime.version().feature() < 21) {
                why = "needs JDK 21+";
            } else {
                try {
                    peers = (Jdk21Peers) Class.forName("dev.fanout.benchmarks.Jdk21PeersImpl")
                            .getDeclaredConstructor()
                            .newInstance();
                } catch (ClassNotFoundException | NoClassDefFoundError e) {
                    why = "not in this build (built on JDK 17)";
                } catch (ReflectiveOperationException | LinkageError e) {
                    why = "cannot load: " + e;
                }
            }
            PEERS = peers;
            WHY = why;
        }

        private Holder() {}

        static Jdk21Peers get() {
            if (PEERS == null) {
                throw new Contender.Unavailable(WHY);
            }
            return PEERS;
        }
    }
}
