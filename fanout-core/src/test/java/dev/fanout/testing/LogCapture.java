package dev.fanout.testing;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Records what Fanout logs on {@code dev.fanout} during each test, and keeps it off the console: for tests whose
 * faults are logged on purpose. Register with {@code @RegisterExtension final LogCapture log = new LogCapture();}.
 */
public final class LogCapture implements BeforeEachCallback, AfterEachCallback {
    private final List<LogRecord> records = new CopyOnWriteArrayList<>();
    private final Logger fanoutLog = Logger.getLogger("dev.fanout");
    private final Handler handler = new Handler() {
        @Override
        public void publish(LogRecord record) {
            records.add(record);
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
    };

    /** What was logged so far in this test, in order; safe to read while other threads log. */
    public List<LogRecord> records() {
        return records;
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        records.clear();
        fanoutLog.addHandler(handler);
        fanoutLog.setUseParentHandlers(false);
    }

    @Override
    public void afterEach(ExtensionContext context) {
        fanoutLog.removeHandler(handler);
        fanoutLog.setUseParentHandlers(true);
    }
}
