package dev.fanout.proof;

/**
 * How big the proofs run: {@code -Dfanout.stress.scale=N} multiplies every iteration count. 1 (the default, what
 * {@code ./mvnw verify} and CI run) keeps each test to seconds; the {@code stress} Maven profile sets 100.
 */
final class Scale {
    private Scale() {}

    static int factor() {
        int scale = Integer.getInteger("fanout.stress.scale", 1);
        return Math.max(1, scale);
    }

    static int times(int base) {
        long n = (long) base * factor();
        return (int) Math.min(Integer.MAX_VALUE, n);
    }
}
