package dev.fanout;

import java.lang.reflect.Field;

/** Reads a {@link Promise}'s completion stack by reflection, for the tests that check it does not leak. */
final class Internals {
    private static final Field NODES;
    private static final Promise.Node DONE;

    static {
        try {
            NODES = Promise.class.getDeclaredField("nodes");
            NODES.setAccessible(true);
            Field done = Promise.class.getDeclaredField("DONE");
            done.setAccessible(true);
            DONE = (Promise.Node) done.get(null);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private Internals() {}

    /** How many nodes (live or removed but still linked) the stack holds; -1 once the promise is done. */
    static int linkedNodes(Promise<?> promise) {
        Promise.Node head = head(promise);
        if (head == DONE) {
            return -1;
        }
        int n = 0;
        for (Promise.Node q = head; q != null; q = q.next) {
            n++;
        }
        return n;
    }

    /** How many nodes of the stack are live (not removed); -1 once the promise is done. */
    static int liveNodes(Promise<?> promise) {
        Promise.Node head = head(promise);
        if (head == DONE) {
            return -1;
        }
        int n = 0;
        for (Promise.Node q = head; q != null; q = q.next) {
            if (q.action != null) {
                n++;
            }
        }
        return n;
    }

    private static Promise.Node head(Promise<?> promise) {
        try {
            return (Promise.Node) NODES.get(promise);
        } catch (IllegalAccessException e) {
            throw new AssertionError(e);
        }
    }
}
