package dev.fanout.examples;

import java.util.Arrays;
import java.util.Optional;
import java.util.function.Consumer;

/** The examples that {@code ./fanout demo} runs, in the order it runs them, each with what to notice in its output. */
enum Example {
    MAP(
            "map",
            MapAndWait.class,
            MapAndWait::main,
            "map and wait",
            "results come in input order, 0 to 9, although the tasks finish in random order"),
    MAP_TWO_INPUTS(
            "map-two-inputs",
            MapTwoInputs.class,
            MapTwoInputs::main,
            "map over two inputs",
            "each call gets one item of each list, taken in step; results in input order"),
    MAP_NO_ITERATE(
            "map-no-iterate",
            MapWithoutIterating.class,
            MapWithoutIterating::main,
            "map without iterating the results",
            "every task runs although nobody reads the results, and 'All done!' waits for them"),
    AS_COMPLETED(
            "as-completed",
            SubmitAsCompleted.class,
            SubmitAsCompleted::main,
            "submit and use as completed",
            "results arrive in completion order, not submission order"),
    SEQUENTIAL(
            "sequential",
            SubmitSequentially.class,
            SubmitSequentially::main,
            "submit and use sequentially",
            "results arrive in submission order, each waiting for its own task"),
    CALLBACK(
            "callback",
            SubmitCallback.class,
            SubmitCallback::main,
            "submit and use a callback",
            "the callback prints each result as its task finishes, so in completion order"),
    TWO_CALLBACKS(
            "two-callbacks",
            SubmitTwoCallbacks.class,
            SubmitTwoCallbacks::main,
            "two callbacks per future",
            "for each result, callback 1 runs before callback 2: the order they were added"),
    WAIT_ALL(
            "wait-all",
            WaitForAll.class,
            WaitForAll::main,
            "wait for all with Futures.wait",
            "'All tasks are done!' comes only after all ten tasks have printed"),
    WAIT_ALL_CLOSE(
            "wait-all-close",
            WaitForAllTryWithResources.class,
            WaitForAllTryWithResources::main,
            "wait for all by leaving try-with-resources",
            "the end of the try block waits for all ten tasks, like leaving Python's 'with'"),
    WAIT_ALL_SHUTDOWN(
            "wait-all-shutdown",
            WaitForAllShutdown.class,
            WaitForAllShutdown::main,
            "wait for all with shutdown()",
            "shutdown() returns only once every task is done"),
    WAIT_FIRST(
            "wait-first",
            WaitForFirst.class,
            WaitForFirst::main,
            "wait for the first, then shutdown(false, true)",
            "one result as soon as the quickest task is done; the tasks not started are cancelled"),
    ENDLESS_MAP(
            "endless-map",
            EndlessMap.class,
            EndlessMap::main,
            "map over an endless input, with bufferSize",
            "the input is read only a few items ahead of the results, so the heap stays flat"),
    FIRST_EXCEPTION(
            "first-exception",
            WaitForFirstException.class,
            WaitForFirstException::main,
            "wait for the first exception",
            "wait returns at the first failure, and the tasks not started are cancelled"),
    TIMEOUTS(
            "timeouts",
            WaitWithTimeouts.class,
            WaitWithTimeouts::main,
            "timeouts on result, wait, asCompleted and map",
            "a timeout ends the waiting, never a running task; wait never throws"),
    VIRTUAL_THREADS(
            "virtual-threads",
            VirtualThreads.class,
            VirtualThreads::main,
            "10,000 tasks on virtual threads (JDK 21+)",
            "ten thousand sleeping tasks overlap: about a second in all, not hours"),
    CLUSTER_MAP(
            "cluster-map",
            ClusterMap.class,
            ClusterMap::main,
            "the same map on a Hazelcast cluster",
            "one changed line runs the map on a cluster member; results still come in input order");

    /** The name on the command line: {@code ./fanout demo NAME}. */
    final String id;

    final Class<?> program;
    final Consumer<String[]> main;
    /** The pattern, in a few words. */
    final String pattern;
    /** What the output shows, in one line. */
    final String notice;

    Example(String id, Class<?> program, Consumer<String[]> main, String pattern, String notice) {
        this.id = id;
        this.program = program;
        this.main = main;
        this.pattern = pattern;
        this.notice = notice;
    }

    static Optional<Example> named(String id) {
        return Arrays.stream(values()).filter(e -> e.id.equals(id)).findFirst();
    }
}
