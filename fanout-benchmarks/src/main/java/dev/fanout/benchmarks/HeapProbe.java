package dev.fanout.benchmarks;

import com.sun.management.GarbageCollectionNotificationInfo;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import javax.management.NotificationEmitter;
import javax.management.openmbean.CompositeData;

/**
 * The child JVM of scenario (e): runs one {@link BoundedMap} contender once and prints one JSON line with its time,
 * its peak heap (the sum of the heap pools' peak usage, garbage included: an upper bound) and its peak live heap (the
 * most heap still in use right after a collection).
 *
 * <p>{@code java -Xmx96m -cp benchmarks.jar dev.fanout.benchmarks.HeapProbe CONTENDER N WORKERS [CHUNK [BUFFER]]}
 */
public final class HeapProbe {
    private HeapProbe() {}

    /**
     * Runs the probe.
     *
     * @param args the contender's enum name, the number of items, the number of workers
     * @throws Exception if the contender fails
     */
    public static void main(String[] args) throws Exception {
        BoundedMap contender = BoundedMap.valueOf(args[0]);
        int n = Integer.parseInt(args[1]);
        int workers = Integer.parseInt(args[2]);
        if (args.length > 3) {
            ChunkedMap.chunkSize = Integer.parseInt(args[3]);
        }
        if (args.length > 4) {
            BoundedMap.bufferSize = Integer.parseInt(args[4]);
        }
        AtomicLong liveAfterGc = watchCollections();
        long t0 = System.nanoTime();
        long sum;
        try (Contender.Trial trial = contender.open(workers)) {
            sum = trial.run(n);
        } catch (Contender.Unavailable e) {
            System.out.println(
                    "{\"contender\": \"" + contender.name() + "\", \"unavailable\": \"" + e.getMessage() + "\"}");
            return;
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        long peak = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                peak += pool.getPeakUsage().getUsed();
            }
        }
        System.out.println(String.format(
                Locale.ROOT,
                "{\"contender\": \"%s\", \"n\": %d, \"ok\": %s, \"seconds\": %.3f, \"peak_heap_mb\": %.1f,"
                        + " \"peak_live_mb\": %.1f, \"max_heap_mb\": %.1f}",
                contender.name(),
                n,
                sum == Work.triangle(n),
                seconds,
                peak / 1048576.0,
                liveAfterGc.get() < 0 ? Double.NaN : liveAfterGc.get() / 1048576.0,
                Runtime.getRuntime().maxMemory() / 1048576.0));
    }

    /** Tracks the most heap in use right after any collection. */
    private static AtomicLong watchCollections() {
        AtomicLong max = new AtomicLong(-1); // -1: no collection happened
        Set<String> heapPools = new HashSet<>();
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                heapPools.add(pool.getName());
            }
        }
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            if (!(gc instanceof NotificationEmitter emitter)) {
                continue;
            }
            emitter.addNotificationListener(
                    (notification, handback) -> {
                        if (!GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(
                                notification.getType())) {
                            return;
                        }
                        var info = GarbageCollectionNotificationInfo.from((CompositeData) notification.getUserData());
                        long used = 0;
                        for (Map.Entry<String, MemoryUsage> pool :
                                info.getGcInfo().getMemoryUsageAfterGc().entrySet()) {
                            if (heapPools.contains(pool.getKey())) {
                                used += pool.getValue().getUsed();
                            }
                        }
                        long u = used;
                        max.accumulateAndGet(u, Math::max);
                    },
                    null,
                    null);
        }
        return max;
    }
}
