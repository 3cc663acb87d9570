package dev.fanout;

import static dev.fanout.LincheckPrograms.check;
import static dev.fanout.LincheckPrograms.join;

import java.util.concurrent.atomic.AtomicReference;
import org.jetbrains.lincheck.Lincheck;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link WorkQueue} under Lincheck's model checker, as whole programs: in every interleaving it tries of takers
 * spinning, pushing their idlers, parking and being signalled against adders, every item is taken exactly once and no
 * taker stays parked (Lincheck reports a thread parked for ever as a deadlock). Two polls per spin, so that the checker
 * explores both ways to wait.
 */
@Tag("lincheck")
@Timeout(600)
class WorkQueueLincheckTest {
    private static int invocations() {
        return LincheckPrograms.invocations(100);
    }

    /** Two takers, two items added by the main thread. */
    @Test
    void twoTakersTwoItems() {
        Lincheck.runConcurrentTest(invocations(), () -> {
            WorkQueue q = new WorkQueue(2);
            Runnable a = () -> {};
            Runnable b = () -> {};
            AtomicReference<Runnable> first = new AtomicReference<>();
            AtomicReference<Runnable> second = new AtomicReference<>();
            Thread t1 = new Thread(() -> first.set(q.take()));
            Thread t2 = new Thread(() -> second.set(q.take()));
            t1.start();
            t2.start();
            q.add(a);
            q.add(b);
            join(t1);
            join(t2);
            check(
                    (first.get() == a && second.get() == b) || (first.get() == b && second.get() == a),
                    "taken: " + first.get() + ", " + second.get());
            check(q.poll() == null, "an item is still queued");
        });
    }

    /** One taker that takes twice, and two adders of their own. */
    @Test
    void oneTakerTwoAdders() {
        Lincheck.runConcurrentTest(invocations(), () -> {
            WorkQueue q = new WorkQueue(2);
            Runnable a = () -> {};
            Runnable b = () -> {};
            Thread adderA = new Thread(() -> q.add(a));
            Thread adderB = new Thread(() -> q.add(b));
            adderA.start();
            adderB.start();
            Runnable x = q.take();
            Runnable y = q.take();
            join(adderA);
            join(adderB);
            check((x == a && y == b) || (x == b && y == a), "taken: " + x + ", " + y);
        });
    }

    /** A taker woken for an item that another taker then took parks again, and is woken by the next item. */
    @Test
    void aTakerRobbedOfItsItemWaitsForTheNext() {
        Lincheck.runConcurrentTest(invocations(), () -> {
            WorkQueue q = new WorkQueue(2);
            Runnable a = () -> {};
            Runnable b = () -> {};
            AtomicReference<Runnable> parked = new AtomicReference<>();
            Thread taker = new Thread(() -> parked.set(q.take()));
            taker.start();
            Thread robber = new Thread(() -> {
                Runnable got = q.poll();
                if (got != null) {
                    q.add(b); // what it took is replaced, so that the taker has one to wait for
                }
            });
            robber.start();
            q.add(a);
            join(robber);
            join(taker);
            check(parked.get() == a || parked.get() == b, "taken: " + parked.get());
        });
    }
}
