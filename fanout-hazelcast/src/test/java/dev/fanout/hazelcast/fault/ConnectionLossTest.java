package dev.fanout.hazelcast.fault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.hazelcast.client.HazelcastClient;
import com.hazelcast.client.config.ClientConfig;
import com.hazelcast.client.config.ClientConnectionStrategyConfig.ReconnectMode;
import com.hazelcast.client.config.RoutingMode;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.LifecycleEvent.LifecycleState;
import dev.fanout.Future;
import dev.fanout.Futures;
import dev.fanout.MapOptions;
import dev.fanout.MapResults;
import dev.fanout.hazelcast.HazelcastExecutor;
import dev.fanout.hazelcast.TestClusters;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Nothing lost when the caller's connection breaks for a moment: the caller is a client whose only way to the cluster
 * is a {@link TcpProxy} in front of one of two in-JVM members. The test cuts the proxy while tasks are queued and
 * running, lets tasks finish while the client is offline (so their replies can never reach it), and restores the
 * link once the client has tried and failed to reconnect; every result must then arrive, once, in order for a map.
 *
 * <p>The phases do not depend on timing: tasks take a ticket as they start on a member, and the tickets decide which
 * tasks wait on which gate. Tickets 1 to {@value #FIRST_GATE} run at once; the next ones wait on the first gate, which
 * opens once the client is offline; tickets above {@value #SECOND_GATE} wait on the second gate, which opens once the
 * client is back. So at the cut every member thread holds a task, and when the link comes back there are tasks that
 * finished while it was down, tasks still running, and tasks no member has started. Tickets go by start order rather
 * than by item, since members may start tasks a little out of submission order.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class ConnectionLossTest {
    static final int ITEMS = 2_000;
    static final int THREADS = 4;
    static final int MEMBERS = 2;
    static final int FIRST_GATE = 500;
    static final int SECOND_GATE = 1_500;

    /** Reconnection attempts the proxy refuses before the link is restored: the client noticed, and kept trying. */
    static final int REFUSED_ATTEMPTS = 2;

    private static final Duration PATIENCE = Duration.ofSeconds(30);

    // Read by the tasks, which run in this JVM's members; reset for each test.
    private static volatile CountDownLatch firstGate;
    private static volatile CountDownLatch secondGate;
    private static final AtomicInteger STARTS = new AtomicInteger();
    private static final AtomicInteger FINISHED = new AtomicInteger();
    private static volatile AtomicIntegerArray runs;

    private static List<HazelcastInstance> members;

    private TcpProxy proxy;
    private HazelcastInstance client;
    private HazelcastExecutor pool;
    private final CountDownLatch disconnected = new CountDownLatch(1);
    private final CountDownLatch reconnected = new CountDownLatch(1);
    private final AtomicLong disconnectedAt = new AtomicLong();
    private final AtomicLong reconnectedAt = new AtomicLong();
    /** When the last result came in: how long recovery took once the client was back. */
    private final AtomicLong lastResultAt = new AtomicLong();

    /** Runs on a member: takes a ticket, waits at the gate its ticket says, and records that it ran. */
    static int work(int item) throws InterruptedException {
        int ticket = STARTS.incrementAndGet();
        if (ticket > SECOND_GATE) {
            secondGate.await();
        } else if (ticket > FIRST_GATE) {
            firstGate.await();
        }
        runs.incrementAndGet(item);
        FINISHED.incrementAndGet();
        return 2 * item;
    }

    @BeforeAll
    static void startMembers() {
        members = TestClusters.members(
                "connection-loss", MEMBERS, THREADS, List.of(ConnectionLossTest.class.getPackageName()));
    }

    @AfterAll
    static void stopMembers() {
        TestClusters.shutdown(members);
    }

    @BeforeEach
    void connectThroughAProxy() {
        firstGate = new CountDownLatch(1);
        secondGate = new CountDownLatch(1);
        STARTS.set(0);
        FINISHED.set(0);
        runs = new AtomicIntegerArray(ITEMS);

        proxy = TcpProxy.start(
                members.get(0).getCluster().getLocalMember().getAddress().getPort());
        ClientConfig config = new ClientConfig();
        config.setClusterName(members.get(0).getConfig().getClusterName());
        config.setProperty("hazelcast.phone.home.enabled", "false");
        // One connection, through the proxy: cutting it leaves the client with no way to the cluster.
        config.getNetworkConfig().getClusterRoutingConfig().setRoutingMode(RoutingMode.SINGLE_MEMBER);
        config.getNetworkConfig().addAddress("127.0.0.1:" + proxy.port());
        // Reconnect through the proxy only, not straight to the members the client learned of.
        config.setProperty("hazelcast.client.internal.skip.member.list.during.reconnection", "true");
        // Keep trying while offline (ON, the default: calls wait for the link rather than fail), a few times a
        // second; a client that cannot reconnect within the connect timeout shuts down, breaking the executor.
        config.getConnectionStrategyConfig().setReconnectMode(ReconnectMode.ON);
        config.getConnectionStrategyConfig()
                .getConnectionRetryConfig()
                .setInitialBackoffMillis(200)
                .setMultiplier(2)
                .setMaxBackoffMillis(1_000)
                .setClusterConnectTimeoutMillis(PATIENCE.toMillis());
        client = HazelcastClient.newHazelcastClient(config);
        client.getLifecycleService().addLifecycleListener(event -> {
            if (event.getState() == LifecycleState.CLIENT_DISCONNECTED) {
                disconnectedAt.compareAndSet(0, System.nanoTime());
                disconnected.countDown();
            } else if (event.getState() == LifecycleState.CLIENT_CONNECTED && disconnected.getCount() == 0) {
                reconnectedAt.compareAndSet(0, System.nanoTime());
                reconnected.countDown();
            }
        });
        await().atMost(PATIENCE).until(() -> client.getCluster().getMembers().size() == MEMBERS);
        pool = HazelcastExecutor.builder().instance(client).build();
    }

    @AfterEach
    void releaseEverything() {
        // Nothing may stay blocked when a test failed half-way: the members serve the next test.
        firstGate.countDown();
        secondGate.countDown();
        if (pool != null) {
            pool.shutdown(false, true);
        }
        if (client != null) {
            client.getLifecycleService().terminate();
        }
        if (proxy != null) {
            proxy.close();
        }
    }

    @Test
    void mapDeliversEveryResultOnceInOrderAcrossABriefDisconnection() throws Exception {
        List<Integer> results = new ArrayList<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        AtomicInteger consumed = new AtomicInteger();
        MapResults<Integer> map = pool.map(
                ConnectionLossTest::work,
                IntStream.range(0, ITEMS).boxed().toList(),
                MapOptions.defaults().chunkSize(1));
        Thread consumer = new Thread(
                () -> {
                    try {
                        for (int r : map) {
                            results.add(r);
                            consumed.incrementAndGet();
                            lastResultAt.set(System.nanoTime());
                        }
                    } catch (Throwable t) {
                        failure.set(t);
                    }
                },
                "map-consumer");
        consumer.setDaemon(true);
        consumer.start();

        // Before the cut: the first tickets finished, every member thread waits at the first gate, and the consumer
        // has every result up to the first item not finished (it waits for that one, in order).
        awaitTasks(FIRST_GATE + MEMBERS * THREADS, FIRST_GATE);
        int prefix = firstNotRun();
        await().atMost(PATIENCE).until(() -> consumed.get() == prefix);

        Disconnection cut = disconnectWhile(() -> {
            firstGate.countDown(); // the tasks that finish now reply to a connection that is gone
            awaitSecondGate();
        });
        secondGate.countDown();

        consumer.join(PATIENCE.toMillis());
        assertThat(consumer.isAlive()).as("consumer still waiting").isFalse();
        assertThat(failure.get()).isNull();
        assertThat(results).hasSize(ITEMS); // every result, once
        for (int i = 0; i < ITEMS; i++) {
            assertThat(results.get(i)).isEqualTo(2 * i); // in order
        }
        assertEachTaskRanOnce();
        pool.close();
        report("map", prefix, cut);
    }

    @Test
    void submittedFuturesCompleteOnceAcrossABriefDisconnection() throws Exception {
        int before = SECOND_GATE + 100; // submitted while connected; the others while offline
        List<Future<Integer>> futures = new ArrayList<>();
        AtomicIntegerArray callbacks = new AtomicIntegerArray(ITEMS);
        for (int i = 0; i < before; i++) {
            futures.add(submit(i, callbacks));
        }
        awaitTasks(FIRST_GATE + MEMBERS * THREADS, FIRST_GATE);
        List<Future<Integer>> finished = new ArrayList<>();
        for (int i = 0; i < before; i++) {
            if (runs.get(i) == 1) {
                finished.add(futures.get(i));
            }
        }
        await().atMost(PATIENCE).until(() -> finished.stream().allMatch(Future::isDone));

        Disconnection cut = disconnectWhile(() -> {
            for (int i = before; i < ITEMS; i++) {
                futures.add(submit(i, callbacks)); // the client holds these until it is back
            }
            firstGate.countDown();
            awaitSecondGate(); // by tasks submitted before the cut: the others wait in the client
        });
        secondGate.countDown();

        Map<Future<Integer>, Integer> items = new IdentityHashMap<>();
        for (int i = 0; i < ITEMS; i++) {
            items.put(futures.get(i), i);
        }
        List<Integer> handedOut = new ArrayList<>();
        for (Future<Integer> f : Futures.asCompleted(futures, PATIENCE)) {
            int item = items.get(f);
            assertThat(f.exception()).as("item %d", item).isNull();
            assertThat(f.result()).isEqualTo(2 * item);
            handedOut.add(item);
        }
        assertThat(handedOut).hasSize(ITEMS).doesNotHaveDuplicates();
        for (int i = 0; i < ITEMS; i++) {
            assertThat(callbacks.get(i)).as("callbacks of item %d", i).isEqualTo(1);
        }
        assertEachTaskRanOnce();
        pool.close();
        report("submit", finished.size(), cut);
    }

    private Future<Integer> submit(int item, AtomicIntegerArray callbacks) {
        Future<Integer> f = pool.submit(() -> work(item));
        f.addDoneCallback(done -> {
            callbacks.incrementAndGet(item);
            lastResultAt.accumulateAndGet(System.nanoTime(), Math::max);
        });
        return f;
    }

    /** Waits until {@code started} tasks have taken a ticket and {@code finished} of them have finished. */
    private static void awaitTasks(int started, int finished) {
        await().atMost(PATIENCE).until(() -> STARTS.get() == started && FINISHED.get() == finished);
    }

    /**
     * Waits until the tickets up to the second gate finished and at least one task waits there. Not one per thread:
     * a member may have run all its share of the tasks by then.
     */
    private static void awaitSecondGate() {
        await().atMost(PATIENCE).until(() -> FINISHED.get() == SECOND_GATE && STARTS.get() > SECOND_GATE);
    }

    private static int firstNotRun() {
        int i = 0;
        while (i < ITEMS && runs.get(i) > 0) {
            i++;
        }
        return i;
    }

    /** What one cut looked like. */
    record Disconnection(
            long detectMillis,
            long offlineMillis,
            long reconnectMillis,
            int refused,
            int finishedOffline,
            int runningAtRestore,
            int notStartedAtRestore) {}

    /**
     * Cuts the link, waits until the client knows, runs {@code whileOffline}, waits until the client has failed to
     * reconnect {@value #REFUSED_ATTEMPTS} times, and restores the link; returns once the client is back.
     */
    private Disconnection disconnectWhile(Runnable whileOffline) throws Exception {
        int connections = proxy.accepted();
        long cutAt = System.nanoTime();
        proxy.cut();
        // The client sees the sockets close at once; it fires CLIENT_DISCONNECTED once it has failed its pending calls.
        assertThat(disconnected.await(PATIENCE.toMillis(), TimeUnit.MILLISECONDS))
                .as("client noticed the cut")
                .isTrue();
        int finishedBefore = FINISHED.get();
        whileOffline.run();
        int finishedOffline = FINISHED.get() - finishedBefore;
        await().atMost(PATIENCE).until(() -> proxy.refused() >= REFUSED_ATTEMPTS);
        assertThat(reconnected.getCount()).as("client stayed offline while cut").isEqualTo(1);
        assertThat(proxy.accepted()).isEqualTo(connections);
        int running = STARTS.get() - FINISHED.get();
        int notStarted = ITEMS - STARTS.get();
        long restoredAt = System.nanoTime();
        proxy.restore();
        assertThat(reconnected.await(PATIENCE.toMillis(), TimeUnit.MILLISECONDS))
                .as("client reconnected")
                .isTrue();
        assertThat(proxy.accepted()).isEqualTo(connections + 1); // a new connection: replies to the old one are gone
        return new Disconnection(
                (disconnectedAt.get() - cutAt) / 1_000_000,
                (reconnectedAt.get() - cutAt) / 1_000_000,
                (reconnectedAt.get() - restoredAt) / 1_000_000,
                proxy.refused(),
                finishedOffline,
                running,
                notStarted);
    }

    /** No member left, so no task may run twice: a copy resubmitted after the cut finds the task claimed. */
    private static void assertEachTaskRanOnce() {
        for (int i = 0; i < ITEMS; i++) {
            assertThat(runs.get(i)).as("runs of item %d", i).isEqualTo(1);
        }
        assertThat(STARTS.get()).isEqualTo(ITEMS);
    }

    private void report(String variant, int deliveredBefore, Disconnection cut) throws Exception {
        String line = String.format(
                "[connection loss] %s: %d tasks on %d members x %d threads; %d results in before the cut; client"
                        + " offline %d ms (CLIENT_DISCONNECTED %d ms after the cut, %d reconnections refused,"
                        + " CLIENT_CONNECTED %d ms after the link was restored); %d tasks finished while it was"
                        + " offline, %d running and %d not started when it came back; %d results delivered"
                        + " once%s, 0 lost, nothing run twice; the last %d ms after CLIENT_CONNECTED",
                variant,
                ITEMS,
                MEMBERS,
                THREADS,
                deliveredBefore,
                cut.offlineMillis(),
                cut.detectMillis(),
                cut.refused(),
                cut.reconnectMillis(),
                cut.finishedOffline(),
                cut.runningAtRestore(),
                cut.notStartedAtRestore(),
                ITEMS,
                variant.equals("map") ? " in order" : "",
                (lastResultAt.get() - reconnectedAt.get()) / 1_000_000);
        System.out.println(line);
        Files.writeString(
                Path.of("target", "connection-loss-report.txt"),
                line + System.lineSeparator(),
                StandardOpenOption.CREATE,
                StandardOpenOption.APPEND);
    }
}
