package dev.fanout.hazelcast;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.internal.serialization.SerializationService;
import com.hazelcast.internal.serialization.impl.HeapData;
import dev.fanout.Task;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The member's side of the batched hand-off at least once ({@link Runner}): a task runs at most once per member
 * whatever copies of it arrive, a cancel wins over a task that has not started (even one not arrived yet), and a
 * reply stays until the caller acknowledges it. Driven directly, without a caller, so that each interleaving is chosen.
 */
class RunnerTest {
    private static final Map<Long, AtomicInteger> RUNS = new ConcurrentHashMap<>();
    private static volatile CountDownLatch started;
    private static volatile CountDownLatch release;

    private static List<HazelcastInstance> cluster;
    private static SerializationService serialization;

    private String id;
    private Runner runner;

    /** Counts its runs; blocks while {@code release} is closed when {@code blocks}. */
    record Job(long key, boolean blocks) implements Task<Long> {
        @Override
        public Long call() throws InterruptedException {
            RUNS.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
            if (blocks) {
                started.countDown();
                release.await();
            }
            return key * 10;
        }
    }

    @BeforeAll
    static void startMember() {
        cluster = TestClusters.members("runner", 1, 2, List.of()); // two task threads
        serialization = Runner.serialization(cluster.get(0));
    }

    @AfterAll
    static void stopMember() {
        TestClusters.shutdown(cluster);
    }

    @BeforeEach
    void newRunner() {
        id = UUID.randomUUID().toString().substring(0, 8);
        runner = Runner.of(cluster.get(0), id);
        started = new CountDownLatch(2);
        release = new CountDownLatch(1);
    }

    @AfterEach
    void releaseRunner() {
        release.countDown();
        Runner.release(cluster.get(0), id);
    }

    private byte[] envelope(long key, boolean blocks) {
        return serialization
                .toData(new TaskEnvelope(id, key, new Job(key, blocks)))
                .toByteArray();
    }

    private TaskState state(Runner.Reply reply) {
        assertThat(reply.kind()).isEqualTo(Runner.STATE);
        return serialization.toObject(new HeapData(reply.data()));
    }

    private static int runs(long key) {
        AtomicInteger n = RUNS.get(key);
        return n == null ? 0 : n.get();
    }

    /** Collects replies until one per key has come; fails after 10 s. */
    private Map<Long, Runner.Reply> repliesFor(long... keys) throws InterruptedException {
        Map<Long, Runner.Reply> got = new ConcurrentHashMap<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (got.size() < keys.length && System.nanoTime() < deadline) {
            for (Runner.Reply r : runner.exchange(false, 1000)) {
                assertThat(got.put(r.key(), r))
                        .as("a second reply for task %d", r.key())
                        .isNull();
            }
        }
        assertThat(got.keySet()).containsExactlyInAnyOrder(box(keys));
        return got;
    }

    private static Long[] box(long... keys) {
        Long[] boxed = new Long[keys.length];
        for (int i = 0; i < keys.length; i++) {
            boxed[i] = keys[i];
        }
        return boxed;
    }

    @Test
    void aTaskSentTwiceRunsOnceAndIsAnsweredOnce() throws Exception {
        long key = 101;
        runner.execute(key, envelope(key, false), false);
        runner.execute(key, envelope(key, false), false); // the batch sent again after a broken connection
        Map<Long, Runner.Reply> replies = repliesFor(key);
        runner.execute(key, envelope(key, false), false); // and once more after it finished, before the ack

        await().atMost(Duration.ofSeconds(10)).until(runner::isIdle);
        assertThat(runs(key)).isEqualTo(1);
        assertThat(state(replies.get(key)).outcome()).isEqualTo(key * 10);
        assertThat(runner.exchange(true, 0)).as("unacknowledged replies").hasSize(1);
    }

    @Test
    void aCancelThatComesBeforeItsTaskWinsAndTheTaskNeverRuns() throws Exception {
        long key = 201;
        assertThat(runner.control(new long[] {key}, true)).containsExactly(Runner.CANCELLED);
        runner.execute(key, envelope(key, false), false);

        Map<Long, Runner.Reply> replies = repliesFor(key);
        await().atMost(Duration.ofSeconds(10)).until(runner::isIdle);
        assertThat(runs(key)).isZero();
        assertThat(state(replies.get(key)).kind()).isEqualTo(TaskState.Kind.CANCELLED);
    }

    @Test
    void cancelWinsOverAQueuedTaskAndLosesToARunningOne() throws Exception {
        long a = 301;
        long b = 302;
        long queued = 303;
        runner.execute(a, envelope(a, true), false);
        runner.execute(b, envelope(b, true), false);
        assertThat(started.await(10, TimeUnit.SECONDS)).as("both threads busy").isTrue();
        runner.execute(queued, envelope(queued, false), false);

        assertThat(runner.control(new long[] {queued, a, 304}, false))
                .containsExactly(Runner.PENDING, Runner.RUNNING, Runner.PENDING);
        assertThat(runner.control(new long[] {queued, a}, true)).containsExactly(Runner.CANCELLED, Runner.RUNNING);
        release.countDown();

        Map<Long, Runner.Reply> replies = repliesFor(a, b, queued);
        await().atMost(Duration.ofSeconds(10)).until(runner::isIdle);
        assertThat(runs(queued)).isZero();
        assertThat(runs(a)).isEqualTo(1);
        assertThat(state(replies.get(queued)).kind()).isEqualTo(TaskState.Kind.CANCELLED);
        assertThat(state(replies.get(a)).outcome()).isEqualTo(a * 10);
        assertThat(runner.control(new long[] {a}, true))
                .as("finished, not acknowledged")
                .containsExactly(Runner.FINISHED);
    }

    @Test
    void aReplyStaysUntilAcknowledgedAndAResyncSendsItAgain() throws Exception {
        long key = 401;
        runner.execute(key, envelope(key, false), false);
        Runner.Reply reply = repliesFor(key).get(key);

        assertThat(runner.exchange(false, 0)).as("returned once").isEmpty();
        assertThat(runner.exchange(true, 0)).as("after a lost exchange").containsExactly(reply);
        runner.ack(new long[] {reply.seq(), reply.seq()});
        assertThat(runner.exchange(true, 0)).isEmpty();
        assertThat(runner.unackedCount()).isZero();
        // acknowledged, the task is forgotten: looked up, it is unknown here
        assertThat(runner.control(new long[] {key}, false)).containsExactly(Runner.PENDING);
    }

    @Test
    void aPollWaitsForTheNextReply() throws Exception {
        long key = 501;
        runner.execute(key, envelope(key, true), false);
        assertThat(started.getCount()).isPositive();
        CompletableFuture<List<Runner.Reply>> poll = CompletableFuture.supplyAsync(() -> {
            try {
                return runner.exchange(false, 30_000);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        await().atMost(Duration.ofSeconds(10)).until(() -> started.getCount() == 1); // running, no reply yet
        assertThat(poll).isNotDone();
        release.countDown();
        List<Runner.Reply> replies = poll.get(10, TimeUnit.SECONDS); // long before the poll's 30 s
        assertThat(replies).extracting(Runner.Reply::key).containsExactly(key);
    }

    @Test
    void aReleasedRunnerAnswersWithAnError() {
        Runner.release(cluster.get(0), id);
        runner.execute(601, envelope(601, false), false);
        List<Runner.Reply> replies = new ArrayList<>();
        try {
            replies.addAll(runner.exchange(false, 0));
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
        assertThat(replies).singleElement().satisfies(r -> {
            assertThat(r.kind()).isEqualTo(Runner.ERROR);
            Object error = serialization.toObject(new HeapData(r.data()));
            assertThat(error).isInstanceOf(java.util.concurrent.RejectedExecutionException.class);
        });
        assertThat(runs(601)).isZero();
    }
}
