package dev.fanout;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.LockSupport;

/**
 * The queue between a {@link ThreadPool}'s submitters and its pooled workers: a lock-free first-in, first-out queue of
 * items, and a stack of the workers parked on it.
 *
 * <p>Why not a {@code LinkedBlockingQueue}: it takes two locks per item, and it wakes a parked worker (a system call,
 * made on the submitting thread) each time an item lands in an empty queue. Trivial tasks keep the queue empty, so a
 * submitter paid for a wake-up on most of its submits. Here an idle worker first polls for a few microseconds (one
 * worker at a time), and a submitter wakes nobody while a worker is polling like that.
 *
 * <p>The model. Items are added at the tail and taken from the head by any thread. A worker that finds no item goes
 * through: SPINNING (only if no other worker is: it polls {@link #SPIN_POLLS} times), then PARKING: it pushes an
 * {@link Idler} on the stack, polls once more, and parks until its idler is signalled. An idler's state goes
 * {@code WAITING -> SIGNALLED} (a thread that popped it, which then unparks its worker) or {@code WAITING -> LEFT} (its
 * own worker, which found an item on its last poll; whoever pops it skips it). Nothing leaves SIGNALLED or LEFT, and an
 * idler is never pushed twice.
 *
 * <p>Each {@link #add} offers its item, then signals one waiting idler unless a worker is spinning. Each worker that
 * took an item after spinning or parking signals one more (under the same condition) if items are left behind it, so
 * that a burst added while somebody spun spreads over the parked workers.
 *
 * <p>Why an item is never left in the queue while every worker is parked (all fields below are volatile or updated by
 * compare-and-set, so these steps fall into one total order):
 *
 * <ul>
 *   <li>An adder that finds the stack empty: each worker either polls again later (it runs a task, or spins), or has
 *       still to push its idler, and then polls after the push, which comes after the adder's read of the stack.
 *   <li>An adder that signals an idler: that worker polls after being woken.
 *   <li>An adder that sees a spinner: the spinner ends its spin after that read, by taking an item (and then looks for
 *       more, and signals if there are) or by giving up, and then polls once more after pushing its idler.
 * </ul>
 *
 * <p>A worker that is woken and finds the queue empty (another worker took the item) parks again with a new idler.
 * Interrupts do not end a worker's wait: an idle worker has nothing to stop, only shutdown (an item) ends it.
 */
class WorkQueue { // not final only for the stepped queue of ShutdownReplayTest
    /**
     * How many times a spinning worker polls before it parks: about 4 µs on the machine of BENCHMARKS.md (1,024 polls
     * took 30 µs there, a spin too costly for a pool that goes idle often).
     */
    static final int SPIN_POLLS = 1 << 7;

    private final int spinPolls;

    private static final int WAITING = 0;
    private static final int SIGNALLED = 1;
    private static final int LEFT = 2;

    private static final VarHandle IDLERS;
    private static final VarHandle SPINNING;
    private static final VarHandle STATE;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            IDLERS = lookup.findVarHandle(WorkQueue.class, "idlers", Idler.class);
            SPINNING = lookup.findVarHandle(WorkQueue.class, "spinning", boolean.class);
            STATE = lookup.findVarHandle(Idler.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final ConcurrentLinkedQueue<Runnable> items = new ConcurrentLinkedQueue<>();

    @SuppressWarnings("unused") // through IDLERS
    private volatile Idler idlers; // top of the stack of parked workers

    @SuppressWarnings("unused") // through SPINNING
    private volatile boolean spinning;

    WorkQueue() {
        this(SPIN_POLLS);
    }

    /** With {@code spinPolls} polls per spin: tests use few, so that a model checker can explore both ways to wait. */
    WorkQueue(int spinPolls) {
        this.spinPolls = spinPolls;
    }

    private static final class Idler {
        final Thread worker;
        Idler next; // set before the push and never after: published by the compare-and-set of the push
        volatile int state; // WAITING, SIGNALLED or LEFT

        Idler(Thread worker) {
            this.worker = worker;
        }
    }

    /** Adds an item at the tail, and wakes a parked worker if no worker is polling. */
    void add(Runnable item) {
        items.offer(item);
        signalWork();
    }

    /** The head item, removed, or {@code null} if there is none. Never waits. */
    Runnable poll() {
        return items.poll();
    }

    Runnable peek() {
        return items.peek();
    }

    boolean remove(Runnable item) {
        return items.remove(item);
    }

    boolean contains(Runnable item) {
        return items.contains(item);
    }

    /** Moves every item there is to {@code sink}, head first. */
    void drainTo(List<? super Runnable> sink) {
        for (Runnable item; (item = items.poll()) != null; ) {
            sink.add(item);
        }
    }

    /** The head item, removed, waiting for one as long as it takes. Interrupts neither end the wait nor stay set. */
    Runnable take() {
        Runnable item = items.poll();
        if (item != null) {
            return item;
        }
        if (SPINNING.compareAndSet(this, false, true)) {
            try {
                for (int i = 0; i < spinPolls && item == null; i++) {
                    Thread.onSpinWait();
                    item = items.poll();
                }
            } finally {
                spinning = false;
            }
            if (item != null) {
                passOn();
                return item;
            }
        }
        for (; ; ) {
            Idler me = new Idler(Thread.currentThread());
            push(me);
            item = items.poll();
            if (item != null) {
                // Left or signalled meanwhile: either way this worker is awake and has its item.
                STATE.compareAndSet(me, WAITING, LEFT);
                passOn();
                return item;
            }
            while (me.state == WAITING) {
                LockSupport.park(this);
                Thread.interrupted(); // an idle worker has nothing to stop: its wait goes on
            }
            item = items.poll();
            if (item != null) {
                passOn();
                return item;
            }
        }
    }

    /** After a wait: items left behind the one taken may have been added while a worker spun, signalling nobody. */
    private void passOn() {
        if (items.peek() != null) {
            signalWork();
        }
    }

    private void signalWork() {
        if (spinning) {
            return; // the spinner polls again after this read (see the class comment)
        }
        for (; ; ) {
            Idler top = idlers;
            if (top == null) {
                return;
            }
            if (IDLERS.compareAndSet(this, top, top.next)) {
                if (STATE.compareAndSet(top, WAITING, SIGNALLED)) {
                    LockSupport.unpark(top.worker);
                    return;
                }
                // LEFT: its worker found an item by itself; try the next one
            }
        }
    }

    private void push(Idler me) {
        for (; ; ) {
            Idler top = idlers;
            Idler below = top;
            while (below != null && below.state == LEFT) {
                below = below.next; // idlers that left stay on the stack until popped: skip them now
            }
            me.next = below;
            if (IDLERS.compareAndSet(this, top, me)) {
                return;
            }
        }
    }
}
