package dev.fanout.proof;

/** The sizes of the Lincheck runs at scale 1; {@code -Dfanout.stress.scale} multiplies the iterations. */
final class LincheckRuns {
    private LincheckRuns() {}

    /** Scenarios generated per model-checking test at scale 1. */
    static final int MODEL_ITERATIONS = 3;
    /** Interleavings tried per scenario, at most (Lincheck stops early once it has seen them all). */
    static final int MODEL_INVOCATIONS = 100;

    static final int STRESS_ITERATIONS = 2;
    static final int STRESS_INVOCATIONS = 100;

    /** Interleavings tried per whole-program check ({@code Lincheck.runConcurrentTest}) at scale 1. */
    static final int PROGRAM_INVOCATIONS = 50;

    static void recordProgram(String what, int invocations) {
        Figures.record(what, invocations + " interleavings of the whole program checked");
    }

    static void record(String what, int iterations, int invocations) {
        Figures.record(
                what,
                iterations + " scenarios x up to " + invocations + " invocations = up to "
                        + ((long) iterations * invocations) + " interleavings checked");
    }
}
