package dev.fanout;

/** What the Lincheck programs (here, beside the classes, and in {@code proof}) share: their size, and their checks. */
public final class LincheckPrograms {
    private LincheckPrograms() {}

    /** {@code base} interleavings, times {@code -Dfanout.stress.scale} (1 in every build, 100 with -Pstress). */
    public static int invocations(int base) {
        int scale = Math.max(1, Integer.getInteger("fanout.stress.scale", 1));
        return base * scale;
    }

    /** Fails the interleaving with {@code message}: Lincheck then prints it, with the interleaving. */
    public static void check(boolean condition, String message) {
        if (!condition) {
            throw new AssertionError(message);
        }
    }

    public static void join(Thread t) {
        try {
            t.join();
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }
}
