package dev.fanout;

import java.time.Duration;
import java.util.Objects;

/** Checks and converts the timeouts users pass. */
final class Timeouts {
    private Timeouts() {}

    /** The timeout in nanoseconds, saturated at Long.MAX_VALUE; null and negative timeouts are rejected. */
    static long toNanos(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative()) {
            throw new IllegalArgumentException("timeout must not be negative: " + timeout);
        }
        try {
            return timeout.toNanos();
        } catch (ArithmeticException tooLong) {
            return Long.MAX_VALUE;
        }
    }
}
